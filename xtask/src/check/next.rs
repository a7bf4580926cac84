//! The `next:` line: what the learner does next, computed from the files
//! on disk ([`crate::state::disk_state`]), not only from the last check:
//! a lab whose `src/` still holds a `todo!()` is not done, a lab changed
//! since its last check must be checked again.

use crate::labs::{Info, Lab};
use crate::lang::Lang;
use crate::model::LabState;
use crate::state::State;
pub use crate::state::{DiskState, disk_state};
use std::path::Path;

/// The `next:` line after checking `checked`: the first of them that does
/// not stand passed, else the first lab of the course that does not.
pub fn next_line(root: &Path, info: &Info, checked: &[&Lab], states: &State, lang: Lang) -> String {
    let standing = |lab: &Lab| disk_state(root, lab, states);
    let passed = |s: &DiskState| *s == DiskState::Checked(LabState::Passed);
    let first = checked
        .iter()
        .copied()
        .chain(info.labs.iter())
        .map(|lab| (lab, standing(lab)))
        .find(|(_, s)| !passed(s));
    let Some((lab, state)) = first else {
        return lang
            .pick("every lab passes: well done!", "所有实验都通过了：做得好！")
            .to_owned();
    };
    let n = lab.number;
    let dir = lab.dir().display().to_string();
    let title = lab.title_in(lang);
    match (state, lang) {
        (DiskState::Todo(at), Lang::En) => format!(
            "next: lab {n} ({title}) is not done yet: todo!() at {at}; write it, then `cargo xtask check-lab {n}` (stuck? `cargo xtask hint {n}`)"
        ),
        (DiskState::Todo(at), Lang::Zh) => format!(
            "下一步：实验 {n}（{title}）尚未完成：todo!() 位于 {at}；写好它，再运行 `cargo xtask check-lab {n}`（卡住了？`cargo xtask hint {n}`）"
        ),
        (DiskState::Changed, Lang::En) => {
            format!("next: lab {n} changed since its last check: `cargo xtask check-lab {n}`")
        }
        (DiskState::Changed, Lang::Zh) => {
            format!("下一步：实验 {n} 在上次检查后改动过：`cargo xtask check-lab {n}`")
        }
        (DiskState::NotChecked, Lang::En) => {
            format!("next: lab {n} ({title}): `cargo xtask check-lab {n}`")
        }
        (DiskState::NotChecked, Lang::Zh) => {
            format!("下一步：实验 {n}（{title}）：`cargo xtask check-lab {n}`")
        }
        (DiskState::Checked(LabState::Tampered), Lang::En) => format!(
            "next: put back the files the warning above names (the grader uses the originals), then `cargo xtask check-lab {n}`"
        ),
        (DiskState::Checked(LabState::Tampered), Lang::Zh) => format!(
            "下一步：把上面警告中列出的文件恢复原样（评分时用的是原始文件），再运行 `cargo xtask check-lab {n}`"
        ),
        (DiskState::Checked(_), Lang::En) => format!(
            "next: work on lab {n} in {dir}, then run `cargo xtask check-lab {n}` (stuck? `cargo xtask hint {n}`)"
        ),
        (DiskState::Checked(_), Lang::Zh) => format!(
            "下一步：在 {dir} 中继续实验 {n}，然后运行 `cargo xtask check-lab {n}`（卡住了？`cargo xtask hint {n}`）"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(number: u32, name: &str) -> Lab {
        Lab {
            number,
            name: name.into(),
            title: name.into(),
            title_zh: name.into(),
            ..Lab::default()
        }
    }

    fn write(root: &Path, lab: &Lab, text: &str) {
        let dir = root.join(lab.dir()).join("src");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.rs"), text).unwrap();
    }

    #[test]
    fn next_follows_the_files_on_disk_not_only_the_last_check() {
        let root = std::env::temp_dir().join(format!("socket-labs-next-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let (one, two) = (lab(1, "one"), lab(2, "two"));
        let info = Info {
            format_version: 1,
            labs: vec![one.clone(), two.clone()],
        };
        write(
            &root,
            &one,
            "fn main() {\n    // todo!() in a comment does not count\n    todo!(\"bind\")\n}\n",
        );
        write(&root, &two, "fn main() {}\n");
        let mut states = State::default();
        // A check once said lab 1 passed; its src/ holds a todo!() now.
        states.set(&root, &one, LabState::Passed, 3);
        write(
            &root,
            &one,
            "fn main() {\n    // todo!() in a comment does not count\n    todo!(\"bind\")\n}\n",
        );
        assert_eq!(
            disk_state(&root, &one, &states),
            DiskState::Todo("labs/01-one/src/main.rs:3".into())
        );
        let line = next_line(&root, &info, &[&one], &states, Lang::En);
        assert!(
            line.contains("lab 1 (one) is not done yet: todo!() at labs/01-one/src/main.rs:3"),
            "{line}"
        );
        // Written and checked: passed; lab 2 was never checked.
        write(&root, &one, "fn main() {}\n");
        states.set(&root, &one, LabState::Passed, 3);
        assert_eq!(
            disk_state(&root, &one, &states),
            DiskState::Checked(LabState::Passed)
        );
        let line = next_line(&root, &info, &[&one], &states, Lang::En);
        assert_eq!(line, "next: lab 2 (two): `cargo xtask check-lab 2`");
        // Changed since its passing check: check it again.
        write(&root, &one, "fn main() { println!(); }\n");
        assert_eq!(disk_state(&root, &one, &states), DiskState::Changed);
        let line = next_line(&root, &info, &[&one], &states, Lang::Zh);
        assert_eq!(
            line,
            "下一步：实验 1 在上次检查后改动过：`cargo xtask check-lab 1`"
        );
        // Line ends do not count as a change.
        write(&root, &one, "fn main() {}\r\n");
        assert_eq!(
            disk_state(&root, &one, &states),
            DiskState::Checked(LabState::Passed)
        );
        states.set(&root, &two, LabState::Passed, 1);
        assert_eq!(
            next_line(&root, &info, &[&two], &states, Lang::En),
            "every lab passes: well done!"
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
