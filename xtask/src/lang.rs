//! The language of what a student reads: Chinese or English, from the
//! locale (`LC_ALL`, then `LC_MESSAGES`, then `LANG`, as POSIX orders
//! them: `zh_*` is Chinese, anything else English), or `--lang zh|en`.
//! Every message a student reads is written in both, side by side, with
//! [`Lang::pick`]; Chinese terms follow the book's glossary
//! (`docs/zh/src/glossary.md`).

/// A text in both languages, `(English, Chinese)`, for a long constant
/// text (a command's help); [`say`] picks one.
pub type Text = (&'static str, &'static str);

/// `text` in `lang`.
pub fn say(text: Text, lang: Lang) -> &'static str {
    lang.pick(text.0, text.1)
}

/// A language a student reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// From the process's locale variables.
    pub fn detect() -> Lang {
        Lang::from_env(|name| std::env::var(name).ok())
    }

    /// From locale variables read by `get`: the first one set and not
    /// empty decides.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(get)
            .find(|value| !value.is_empty())
            .map_or(Lang::En, |value| {
                if value.to_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                }
            })
    }

    /// From what a user typed after `--lang`.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.to_lowercase().as_str() {
            "zh" | "cn" | "zh_cn" | "zh-cn" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The text in this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_first_locale_variable_set_decides() {
        assert_eq!(Lang::from_env(env(&[])), Lang::En);
        assert_eq!(Lang::from_env(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(
            Lang::from_env(env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "en_US.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env(env(&[("LC_ALL", ""), ("LANG", "zh_TW.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(Lang::from_env(env(&[("LANG", "C.UTF-8")])), Lang::En);
        assert_eq!(Lang::parse("ZH"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
    }
}
