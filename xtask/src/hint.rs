//! `cargo xtask hint N`: the hints of a lab, one at a time. The first is
//! the lab's hint (`hint`/`hint_zh` in `labs/info.toml`), then one per
//! function or step (`[[lab.hints]]`), then the documentation links
//! (`docs`). Each call gives the next; `hint N --all` shows every hint
//! given so far. How many were given is kept beside the last check
//! (`target/socket-labs/hints.json`), so `cargo clean` starts over.

use crate::labs::Lab;
use crate::lang::Lang;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One hint as shown: what it is about, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub about: String,
    pub text: String,
}

/// Every hint of `lab` in `lang`, in the order they are given.
pub fn hints(lab: &Lab, lang: Lang) -> Vec<Shown> {
    let mut out = vec![Shown {
        about: lang.pick("the lab as a whole", "整个实验").to_owned(),
        text: lab.hint_in(lang).trim().to_owned(),
    }];
    out.extend(lab.hints.iter().map(|h| Shown {
        about: format!("`{}`", h.about),
        text: lang.pick(&h.en, &h.zh).trim().to_owned(),
    }));
    if !lab.docs.is_empty() {
        out.push(Shown {
            about: lang.pick("documentation", "文档").to_owned(),
            text: lab.docs.join("\n"),
        });
    }
    out
}

fn path(root: &Path) -> PathBuf {
    crate::runner::own_dir(root).join("hints.json")
}

fn load(root: &Path) -> BTreeMap<String, usize> {
    std::fs::read_to_string(path(root))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Saves quietly: losing the file only starts the hints over.
fn save(root: &Path, given: &BTreeMap<String, usize>) {
    if let Ok(json) = serde_json::to_string_pretty(given) {
        let file = path(root);
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::write(file, json);
    }
}

/// `hint N` (`all`: `hint N --all`): the text to print. Gives the next
/// hint and remembers it; with `all`, every hint given so far (at least
/// the first).
pub fn hint(root: &Path, lab: &Lab, all: bool, lang: Lang) -> String {
    let list = hints(lab, lang);
    let mut given = load(root);
    let before = given.get(&lab.package()).copied().unwrap_or(0);
    let now = if all {
        before.max(1)
    } else {
        (before + 1).min(list.len())
    };
    given.insert(lab.package(), now);
    save(root, &given);
    let total = list.len();
    let mut out = format!(
        "{} {} · {}\n",
        lang.pick("lab", "实验"),
        lab.number,
        lab.title_in(lang)
    );
    let first = if all { 0 } else { now - 1 };
    for (i, shown) in list.iter().enumerate().take(now).skip(first) {
        let k = i + 1;
        let head = match lang {
            Lang::En => format!("hint {k} of {total}: {}", shown.about),
            Lang::Zh => format!("提示 {k}/{total}：{}", shown.about),
        };
        out.push_str(&format!("\n{head}\n{}\n", shown.text));
    }
    let n = lab.number;
    out.push('\n');
    out.push_str(&if now < total {
        match lang {
            Lang::En => format!(
                "when you have tried it: `cargo xtask check-lab {n}`; the next hint: `cargo xtask hint {n}`"
            ),
            Lang::Zh => format!(
                "试过之后：`cargo xtask check-lab {n}`；下一条提示：`cargo xtask hint {n}`"
            ),
        }
    } else {
        match lang {
            Lang::En => format!(
                "that is the last hint; all of them again: `cargo xtask hint {n} --all`; then `cargo xtask check-lab {n}`"
            ),
            Lang::Zh => format!(
                "这是最后一条提示；再看全部：`cargo xtask hint {n} --all`；然后 `cargo xtask check-lab {n}`"
            ),
        }
    });
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::Hint;

    fn lab() -> Lab {
        Lab {
            number: 2,
            name: "tcp-loop".into(),
            title: "Loop".into(),
            title_zh: "循环".into(),
            hint: "Two loops.".into(),
            hint_zh: "两层循环。".into(),
            hints: vec![Hint {
                about: "serve_client".into(),
                en: "A read of 0 bytes is EOF.".into(),
                zh: "读到 0 字节是 EOF。".into(),
            }],
            docs: vec!["https://doc.rust-lang.org/std/net/struct.TcpStream.html".into()],
            ..Lab::default()
        }
    }

    #[test]
    fn each_call_gives_the_next_hint_ending_with_the_docs_and_all_shows_those_given() {
        let root = std::env::temp_dir().join(format!("socket-labs-hint-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let lab = lab();
        let first = hint(&root, &lab, false, Lang::En);
        assert!(
            first.contains("hint 1 of 3: the lab as a whole\nTwo loops."),
            "{first}"
        );
        assert!(!first.contains("EOF"), "{first}");
        let second = hint(&root, &lab, false, Lang::Zh);
        assert!(
            second.contains("提示 2/3：`serve_client`\n读到 0 字节是 EOF。"),
            "{second}"
        );
        assert!(!second.contains("两层循环"), "{second}");
        let all = hint(&root, &lab, true, Lang::En);
        assert!(all.contains("Two loops.") && all.contains("EOF"), "{all}");
        assert!(!all.contains("doc.rust-lang.org"), "{all}");
        let last = hint(&root, &lab, false, Lang::En);
        assert!(
            last.contains("hint 3 of 3: documentation\nhttps://doc.rust-lang.org/std/net/struct.TcpStream.html"),
            "{last}"
        );
        assert!(last.contains("that is the last hint"), "{last}");
        // Past the end, the last one again.
        assert!(hint(&root, &lab, false, Lang::En).contains("hint 3 of 3"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
