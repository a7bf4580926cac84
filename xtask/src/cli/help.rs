//! The usage and help texts of `cargo xtask`, in English and Chinese
//! (`cargo xtask COMMAND --help`; `--lang` or the locale chooses).

use crate::lang::{Lang, Text, say};

/// `cargo xtask` alone, and after a usage error: the students' commands,
/// then (in the instructor's copy) the instructor's.
pub fn usage(lang: Lang) -> String {
    [STUDENT_USAGE, INSTRUCTOR_USAGE, USAGE_END]
        .iter()
        .map(|text| say(*text, lang))
        .collect()
}

const STUDENT_USAGE: Text = (
    "\
usage: cargo xtask COMMAND

commands for students:
  check-lab N        build lab N and run its scenarios (N: 1, 01, lab01 or its name)
  check-lab --all    check every lab in order
  check-lab N --seed S
                     the property scenarios draw the inputs of seed S again
                     (check-lab prints the seed it used; without --seed, a fresh one)
  check-lab N --scenario NAME  run one scenario of lab N
  watch              check the lab you work on at each save, then the next one
  list               the labs in order, with what the last check found
  hint N [--all]     the next hint of lab N, one at a time (--all: those given so far)
  reset N [--yes]    put lab N's src/ back as the starter has it (asks first)
  --lang zh|en       the language of messages (default: from LANG / LC_ALL)

",
    "\
用法：cargo xtask 命令

学生用的命令：
  check-lab N        构建实验 N 并运行它的场景（N：1、01、lab01 或实验名）
  check-lab --all    按顺序检查所有实验
  check-lab N --seed S
                     性质场景再次用种子 S 抽取同样的输入
                     （check-lab 会打印它用的种子；不加 --seed 则用新的种子）
  check-lab N --scenario 场景名  只运行实验 N 的一个场景
  watch              每次保存时检查你正在做的实验，通过后转到下一个
  list               按顺序列出实验，以及上一次检查的结果
  hint N [--all]     实验 N 的下一条提示，一次一条（--all：已给出的全部提示）
  reset N [--yes]    把实验 N 的 src/ 恢复成起始代码（starter）中的样子（会先询问）
  --lang zh|en       消息的语言（默认取自 LANG / LC_ALL）

",
);

/// The instructor's lines of the usage: none in a student's copy (the
/// `instructor` feature is off there).
#[cfg(feature = "instructor")]
const INSTRUCTOR_USAGE: Text = (
    "\
commands for instructors:
  starter --out DIR  write the students' copy: every solution region becomes todo!()
  check-solutions    prove each lab's solution passes, its starter and its mutants fail
  mutants [N…] [--mutant NAME…] [--repeat K]
                     run the mutants of labs N (default: all), or those named, K times each
  grade SUBMISSIONS --out REPORT [--labs 1,2] [--format FORMAT] [--roster FILE]
        [--lab-timeout SECS] [--seed S] [--shard K/N] [--unsafe-no-sandbox]
                     grade every submission (folder, .zip or .tar.gz) of SUBMISSIONS;
                     writes REPORT/grades.csv, grades.json and feedback/STUDENT.md;
                     one seed (S, or a fresh one, in grades.json) for the whole class
                     (FORMAT: exercism, gradescope, canvas or moodle); each submission
                     runs in a bubblewrap sandbox; --shard K/N grades the K-th of N slices
  grade merge REPORT… --out DIR
                     join the slices' reports into the one a single machine writes

",
    "\
教师用的命令：
  starter --out 目录 写出学生的副本：每个解答区域都换成 todo!()
  check-solutions    证明每个实验的解答能通过，起始代码和变异体都不能通过
  mutants [N…] [--mutant 名字…] [--repeat K]
                     运行实验 N 的变异体（默认：全部）或指定的变异体，每个运行 K 次
  grade 提交目录 --out 报告目录 [--labs 1,2] [--format 格式] [--roster 文件]
        [--lab-timeout 秒数] [--seed S] [--shard K/N] [--unsafe-no-sandbox]
                     评分提交目录中的每份提交（文件夹、.zip 或 .tar.gz）；
                     写出 报告目录/grades.csv、grades.json 和 feedback/学生.md；
                     全班用同一个种子（S，或新的种子，记在 grades.json 中）
                     （格式：exercism、gradescope、canvas 或 moodle）；每份提交
                     在 bubblewrap 沙箱中运行；--shard K/N 只评 N 份中的第 K 份
  grade merge 报告目录… --out 目录
                     把各份的报告合并成一台机器评分时写出的那一份

",
);
#[cfg(not(feature = "instructor"))]
const INSTRUCTOR_USAGE: Text = ("", "");

const USAGE_END: Text = (
    "`cargo xtask COMMAND --help` tells more about a command.
",
    "`cargo xtask 命令 --help` 会详细说明一个命令。
",
);

/// `cargo xtask check-lab --help`.
pub(super) const CHECK_LAB_HELP: Text = (
    "\
usage: cargo xtask check-lab N [--seed S] [--scenario NAME]
       cargo xtask check-lab --all [--seed S]

Builds lab N and runs its scenarios; prints one line per scenario and, for
what fails, the difference from the expected transcript and the lab's hint.
N is 1, 01, lab01 or the lab's name (`cargo xtask list` shows them).

options:
  --all            check every lab in order
  --seed S         the property scenarios draw the inputs of seed S again
                   (check-lab prints the seed it used; without it, a fresh one)
  --scenario NAME  run only this scenario of lab N (GitHub Classroom's
                   autograding runs one step per scenario, worth its points)
  -h, --help       this help
",
    "\
用法：cargo xtask check-lab N [--seed S] [--scenario 场景名]
      cargo xtask check-lab --all [--seed S]

构建实验 N 并运行它的场景；每个场景打印一行；没有通过的，打印它与期望的
场景记录的差异和这个实验的提示。N 是 1、01、lab01 或实验名
（`cargo xtask list` 会列出它们）。

选项：
  --all            按顺序检查所有实验
  --seed S         性质场景再次用种子 S 抽取同样的输入
                   （check-lab 会打印它用的种子；不加则用新的种子）
  --scenario 场景名  只运行实验 N 的这个场景（GitHub Classroom 的自动评分
                   每个场景一步，得该场景的分数）
  -h, --help       本帮助
",
);

pub(super) const LIST_HELP: Text = (
    "\
usage: cargo xtask list

The labs in order, with what the last `cargo xtask check-lab` found and the
points it gave. Next: `cargo xtask check-lab N`.
",
    "\
用法：cargo xtask list

按顺序列出实验，以及上一次 `cargo xtask check-lab` 的结果和得分。
下一步：`cargo xtask check-lab N`。
",
);

pub(super) const HINT_HELP: Text = (
    "\
usage: cargo xtask hint N [--all]

The next hint of lab N (1, 01, lab01 or its name): each call gives one more,
from the lab as a whole to each function, ending with documentation links.
--all shows every hint given so far. Then: `cargo xtask check-lab N`.
",
    "\
用法：cargo xtask hint N [--all]

实验 N（1、01、lab01 或实验名）的下一条提示：每运行一次多给一条，从整个
实验到每个函数，最后是文档链接。--all 显示到目前为止给出的全部提示。
然后：`cargo xtask check-lab N`。
",
);

#[cfg(feature = "instructor")]
pub(super) const STARTER_HELP: Text = (
    "\
usage: cargo xtask starter --out DIR

Writes the students' copy of this workspace into DIR: every solution region
becomes todo!(), and .github/workflows/classroom.yml holds GitHub Classroom's
autograding (one step per scenario, worth its points). DIR must be new or
empty. Next: push DIR as the template repository of the assignment.
",
    "\
用法：cargo xtask starter --out 目录

把这个工作区的学生副本写到目录中：每个解答区域都换成 todo!()，
.github/workflows/classroom.yml 中是 GitHub Classroom 的自动评分（每个场景
一步，得该场景的分数）。目录必须是新的或空的。下一步：把目录推送为作业的
模板仓库。
",
);

#[cfg(feature = "instructor")]
pub(super) const CHECK_SOLUTIONS_HELP: Text = (
    "\
usage: cargo xtask check-solutions

Proves that each lab's solution passes its scenarios, that the generated
starter fails them, and that each lab's mutants (labs/NN-NAME/mutants.toml)
fail. Run it after changing a lab, the harness or xtask.
",
    "\
用法：cargo xtask check-solutions

证明每个实验的解答能通过它的场景，生成的起始代码不能通过，每个实验的变异体
（labs/NN-NAME/mutants.toml）也不能通过。改动实验、测试框架或 xtask 后运行它。
",
);

#[cfg(feature = "instructor")]
pub(super) const MUTANTS_HELP: Text = (
    "\
usage: cargo xtask mutants [N…] [--mutant NAME…] [--repeat K]

Runs the mutants of labs N (every lab's by default), or only those named,
K times each (default 1): each typical mistake of labs/NN-NAME/mutants.toml
must fail a scenario.
",
    "\
用法：cargo xtask mutants [N…] [--mutant 名字…] [--repeat K]

运行实验 N 的变异体（默认：所有实验的），或只运行指定的变异体，每个运行 K 次
（默认 1 次）：labs/NN-NAME/mutants.toml 中的每个典型错误都必须让某个场景失败。
",
);

#[cfg(test)]
mod tests {
    use super::usage;
    use crate::lang::Lang;

    #[test]
    fn the_usage_lists_the_instructors_commands_only_in_the_instructors_copy() {
        for usage in [usage(Lang::En), usage(Lang::Zh)] {
            assert!(usage.contains("\n  check-lab N "), "{usage}");
            for command in ["\n  starter ", "\n  check-solutions ", "\n  grade "] {
                assert_eq!(
                    usage.contains(command),
                    cfg!(feature = "instructor"),
                    "{command:?} in {usage}"
                );
            }
        }
    }
}
