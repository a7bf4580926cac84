//! `check-lab`'s arguments, and its usage errors in the learner's
//! language.

use super::help::usage;
use crate::lang::Lang;
use anyhow::Result;

/// `check-lab` without a lab.
pub(super) fn needs_a_lab(lang: Lang) -> anyhow::Error {
    let usage = usage(lang);
    anyhow::anyhow!(
        "{}",
        match lang {
            Lang::En =>
                format!("check-lab needs a lab: `cargo xtask check-lab 1`, or `--all`\n\n{usage}"),
            Lang::Zh =>
                format!("check-lab 需要一个实验：`cargo xtask check-lab 1`，或 `--all`\n\n{usage}"),
        }
    )
}

/// What `check-lab` was asked: the lab (or `--all`), an optional seed and
/// an optional single scenario.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct CheckLabArgs {
    pub(super) which: String,
    pub(super) seed: Option<u64>,
    pub(super) scenario: Option<String>,
}

/// `check-lab`'s arguments, in any order: the lab (or `--all`), an
/// optional `--seed N` and an optional `--scenario NAME`; errors in
/// `lang`.
pub(super) fn check_lab_args(args: &[&str], lang: Lang) -> Result<CheckLabArgs> {
    let too_many = || {
        let (args, usage) = (args.join(" "), usage(lang));
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::En => format!(
                    "check-lab takes one lab (or --all), an optional --seed N and an optional --scenario NAME, not `{args}`\n\n{usage}"
                ),
                Lang::Zh => format!(
                    "check-lab 只接受一个实验（或 --all）、可选的 --seed N 和可选的 --scenario 场景名，不接受 `{args}`\n\n{usage}"
                ),
            }
        )
    };
    let mut parser = lexopt::Parser::from_args(args.iter().copied());
    let mut which: Option<String> = None;
    let mut seed = None;
    let mut scenario = None;
    while let Some(arg) = parser.next().map_err(|_| too_many())? {
        match arg {
            lexopt::Arg::Long("seed") => {
                let text = parser.value().map_err(|_| {
                    anyhow::anyhow!(
                        "{}",
                        lang.pick(
                            "--seed needs a number: `--seed 1234`",
                            "--seed 需要一个数：`--seed 1234`"
                        )
                    )
                })?;
                let text = text.to_string_lossy();
                seed = Some(harness::seed::parse_seed(&text).map_err(|_| {
                    anyhow::anyhow!(
                        "{}",
                        match lang {
                            Lang::En =>
                                format!("--seed takes a whole number such as 1234, not `{text}`"),
                            Lang::Zh =>
                                format!("--seed 的值应当是整数，例如 1234，不能是 `{text}`"),
                        }
                    )
                })?);
            }
            lexopt::Arg::Long("scenario") if scenario.is_none() => {
                let name = parser.value().map_err(|_| {
                    anyhow::anyhow!(
                        "{}",
                        lang.pick(
                            "--scenario needs a scenario's name: `cargo xtask check-lab 1 --scenario server_normal_exchange`",
                            "--scenario 需要一个场景名：`cargo xtask check-lab 1 --scenario server_normal_exchange`"
                        )
                    )
                })?;
                scenario = Some(name.to_string_lossy().into_owned());
            }
            lexopt::Arg::Long("all") if which.is_none() => which = Some("--all".to_owned()),
            lexopt::Arg::Value(v) if which.is_none() => {
                which = Some(v.to_string_lossy().into_owned());
            }
            _ => return Err(too_many()),
        }
    }
    let which = which.ok_or_else(|| needs_a_lab(lang))?;
    if which == "--all" && scenario.is_some() {
        return Err(too_many());
    }
    Ok(CheckLabArgs {
        which,
        seed,
        scenario,
    })
}

#[cfg(test)]
mod tests {
    use super::{CheckLabArgs, check_lab_args};
    use crate::lang::Lang;

    fn check_lab_args_en(args: &[&str]) -> anyhow::Result<CheckLabArgs> {
        check_lab_args(args, Lang::En)
    }

    fn args(which: &str, seed: Option<u64>, scenario: Option<&str>) -> CheckLabArgs {
        CheckLabArgs {
            which: which.to_owned(),
            seed,
            scenario: scenario.map(str::to_owned),
        }
    }

    #[test]
    fn check_lab_takes_a_lab_a_seed_and_a_scenario_in_any_order() {
        assert_eq!(check_lab_args_en(&["5"]).unwrap(), args("5", None, None));
        assert_eq!(
            check_lab_args_en(&["5", "--seed", "42"]).unwrap(),
            args("5", Some(42), None)
        );
        assert_eq!(
            check_lab_args_en(&["--seed", "7", "--all"]).unwrap(),
            args("--all", Some(7), None)
        );
        assert_eq!(
            check_lab_args_en(&["--scenario", "a_b", "1"]).unwrap(),
            args("1", None, Some("a_b"))
        );
        let bad = check_lab_args_en(&["5", "--seed", "x"])
            .unwrap_err()
            .to_string();
        assert!(bad.contains("--seed takes a whole number"), "{bad}");
        assert!(check_lab_args_en(&["5", "--seed"]).is_err());
        assert!(check_lab_args_en(&["--seed", "3"]).is_err());
        assert!(check_lab_args_en(&["1", "2"]).is_err());
        assert!(check_lab_args_en(&["--all", "--scenario", "a"]).is_err());
        assert!(check_lab_args_en(&["1", "--scenario"]).is_err());
    }
}
