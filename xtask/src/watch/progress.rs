//! What watch prints under each check: the progress bar across all labs
//! (scenarios, points, labs passed, from the last checks), what it
//! watches and the keys it reads.

use crate::check::Style;
use crate::labs::{Info, Lab};
use crate::lang::Lang;
use crate::model::LabState;
use crate::state::State;
use std::path::Path;

/// How wide the progress bar is, in characters.
pub(super) const BAR_WIDTH: usize = 30;

/// The progress bar and its figures: scenarios passed, points, labs
/// passed, across all labs, from the last checks.
pub fn progress(info: &Info, states: &State, lang: Lang) -> String {
    let mut scenarios = (0, 0);
    let mut points = (0, 0);
    let mut labs = (0, info.labs.len());
    for lab in &info.labs {
        let total = u32::try_from(lab.scenarios.len()).unwrap_or(u32::MAX);
        let passed = states.get(lab) == Some(LabState::Passed);
        scenarios.0 += if passed {
            total
        } else {
            states.scenarios_passed(lab).unwrap_or(0).min(total)
        };
        scenarios.1 += total;
        points.0 += states.points(lab).unwrap_or(0);
        points.1 += lab.max_points();
        labs.0 += usize::from(passed);
    }
    let filled = if scenarios.1 == 0 {
        0
    } else {
        (scenarios.0 as usize * BAR_WIDTH) / scenarios.1 as usize
    };
    let bar: String = (0..BAR_WIDTH)
        .map(|i| match i.cmp(&filled) {
            std::cmp::Ordering::Less => '#',
            std::cmp::Ordering::Equal => '>',
            std::cmp::Ordering::Greater => '-',
        })
        .collect();
    match lang {
        Lang::En => format!(
            "progress [{bar}] {}/{} scenarios · {}/{} points · {}/{} labs passed",
            scenarios.0, scenarios.1, points.0, points.1, labs.0, labs.1
        ),
        Lang::Zh => format!(
            "进度 [{bar}] {}/{} 个场景 · {}/{} 分 · 通过 {}/{} 个实验",
            scenarios.0, scenarios.1, points.0, points.1, labs.0, labs.1
        ),
    }
}

/// What watch prints under each check: the progress bar, what it
/// watches, the keys.
pub(super) fn footer(root: &Path, info: &Info, lab: &Lab, lang: Lang, style: Style) -> String {
    let states = State::load(root);
    let src = lab.dir().join("src");
    let watching = match lang {
        Lang::En => format!(
            "watching lab {} ({}): save a file in {} and it is checked again",
            lab.number,
            lab.name,
            src.display()
        ),
        Lang::Zh => format!(
            "正在监视实验 {}（{}）：保存 {} 里的文件，它就会被重新检查",
            lab.number,
            lab.name,
            src.display()
        ),
    };
    format!(
        "{}\n{}\n{}\n{}\n",
        style.dim(&"─".repeat(BAR_WIDTH + 20)),
        style.bold(&progress(info, &states, lang)),
        watching,
        style.dim(lang.pick(
            "type a letter, then Enter: h hint · l list · c check again · q quit (or Ctrl-C)",
            "输入一个字母再按回车：h 提示 · l 实验列表 · c 重新检查 · q 退出（或按 Ctrl-C）"
        ))
    )
}
