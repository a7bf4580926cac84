//! What a stuck program was doing ([`harness::stuck`]), in a sentence a
//! student reads: `lab01-server is waiting in read (recvfrom) for more
//! bytes`, `… is running, not waiting for anything: a busy loop?`.

use crate::lang::Lang;
pub use harness::stuck::{Call, Doing, On, Stuck};

/// One sentence for one program.
pub fn describe(stuck: &Stuck, lang: Lang) -> String {
    let program = &stuck.program;
    let calls = match &stuck.doing {
        Doing::Running => {
            return match lang {
                Lang::En => format!("{program} is running, not waiting for anything: a busy loop?"),
                Lang::Zh => format!("{program} 一直在运行，没有在等待任何东西：是忙循环吗？"),
            };
        }
        Doing::Waiting(calls) => calls,
    };
    let Some((first, others)) = calls.split_first() else {
        return match lang {
            Lang::En => format!("{program} is waiting"),
            Lang::Zh => format!("{program} 正在等待"),
        };
    };
    let mut text = format!("{program} {}", waiting_in(first, lang));
    if !others.is_empty() {
        let names: Vec<&str> = others.iter().map(|c| c.name.as_str()).collect();
        text.push_str(&match lang {
            Lang::En => format!("; its other threads wait in {}", names.join(", ")),
            Lang::Zh => format!("；它的其他线程阻塞在 {} 中", names.join("、")),
        });
    }
    text
}

/// Which family a system call belongs to, as the Rust code calls it.
fn family(name: &str) -> &str {
    match name {
        "read" | "readv" | "recvfrom" | "recvmsg" => "read",
        "write" | "writev" | "sendto" | "sendmsg" => "write",
        "accept" | "accept4" => "accept",
        "nanosleep" | "clock_nanosleep" => "sleep",
        other => other,
    }
}

/// `is waiting in read (recvfrom) for more bytes`, without the program.
fn waiting_in(call: &Call, lang: Lang) -> String {
    let base = family(&call.name);
    let label = if base == call.name {
        base.to_owned()
    } else {
        format!("{base} ({})", call.name)
    };
    let zh_label = label.replace(" (", "（").replace(')', "）");
    // `read（recvfrom）中`, `accept 中`.
    let zh_in = if zh_label.ends_with('）') {
        format!("{zh_label}中")
    } else {
        format!("{zh_label} 中")
    };
    match (base, call.on, lang) {
        ("read", On::Socket, Lang::En) => format!("is waiting in {label} for more bytes"),
        ("read", On::Socket, Lang::Zh) => format!("阻塞在 {zh_in}，等待更多字节"),
        ("read", On::Stdin, Lang::En) => format!("is waiting in {label} for a line on its stdin"),
        ("read", On::Stdin, Lang::Zh) => format!("阻塞在 {zh_in}，等待标准输入的一行"),
        ("accept", _, Lang::En) => format!("is waiting in {label} for a client to connect"),
        ("accept", _, Lang::Zh) => format!("阻塞在 {zh_in}，等待客户端连接"),
        ("write", On::Socket, Lang::En) => {
            format!("is waiting in {label}: the other side is not reading what it sends")
        }
        ("write", On::Socket, Lang::Zh) => {
            format!("阻塞在 {zh_in}：对方没有读取它发送的数据")
        }
        ("connect", _, Lang::En) => "is waiting in connect for the other side to answer".to_owned(),
        ("connect", _, Lang::Zh) => "阻塞在 connect 中，等待对方应答".to_owned(),
        ("futex", _, Lang::En) => "is waiting for another thread or a lock (futex)".to_owned(),
        ("futex", _, Lang::Zh) => "在等待另一个线程或一把锁（futex）".to_owned(),
        ("wait4", _, Lang::En) => "is waiting for a child process to exit (wait4)".to_owned(),
        ("wait4", _, Lang::Zh) => "在等待子进程退出（wait4）".to_owned(),
        ("sleep", _, Lang::En) => format!("is sleeping ({})", call.name),
        ("sleep", _, Lang::Zh) => format!("在休眠（{}）", call.name),
        (_, _, Lang::En) => format!("is waiting in {label}"),
        (_, _, Lang::Zh) => format!("阻塞在 {zh_in}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(name: &str, on: On) -> Stuck {
        Stuck {
            program: "lab01-server".into(),
            doing: Doing::Waiting(vec![Call {
                name: name.into(),
                on,
            }]),
        }
    }

    #[test]
    fn a_stuck_program_is_one_sentence_in_each_language() {
        let read = waiting("recvfrom", On::Socket);
        assert_eq!(
            describe(&read, Lang::En),
            "lab01-server is waiting in read (recvfrom) for more bytes"
        );
        assert_eq!(
            describe(&read, Lang::Zh),
            "lab01-server 阻塞在 read（recvfrom）中，等待更多字节"
        );
        assert_eq!(
            describe(&waiting("accept4", On::Socket), Lang::En),
            "lab01-server is waiting in accept (accept4) for a client to connect"
        );
        let spin = Stuck {
            program: "lab02-server".into(),
            doing: Doing::Running,
        };
        assert_eq!(
            describe(&spin, Lang::En),
            "lab02-server is running, not waiting for anything: a busy loop?"
        );
        assert!(describe(&spin, Lang::Zh).contains("忙循环"));
    }
}
