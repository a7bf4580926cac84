//! The rules of the `results.json` files we write, taken from each
//! format's own documentation and checked here independently of the code
//! that writes them: typed serde structs (`deny_unknown_fields`: a field
//! the spec does not define is an error) plus the rules a type cannot say.
//!
//! - Exercism, version 2:
//!   <https://exercism.org/docs/building/tooling/test-runners/interface>
//! - Gradescope:
//!   <https://gradescope-autograders.readthedocs.io/en/latest/specs/>

use serde::Deserialize;

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExercismStatus {
    Pass,
    Fail,
    Error,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Exercism {
    pub version: u32,
    pub status: ExercismStatus,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub tests: Option<Vec<ExercismTest>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ExercismTest {
    pub name: String,
    pub status: ExercismStatus,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub output: Option<String>,
    pub test_code: String,
}

/// Checks an Exercism `results.json` against version 2 of the interface;
/// `names`: the tests it must hold, in this order (`info.toml`'s).
pub fn check_exercism(text: &str, names: &[String]) -> Result<Exercism, String> {
    let r: Exercism = serde_json::from_str(text).map_err(|e| format!("not the v2 shape: {e}"))?;
    if r.version != 2 {
        return Err(format!("version is {}, not 2", r.version));
    }
    match (&r.status, &r.message) {
        (ExercismStatus::Error, None) => {
            return Err("status error needs a top-level message".into());
        }
        (ExercismStatus::Error, Some(m)) if m.trim().is_empty() => {
            return Err("status error needs a message that says what went wrong".into());
        }
        (ExercismStatus::Pass | ExercismStatus::Fail, Some(_)) => {
            return Err("a top-level message only when status is error".into());
        }
        _ => {}
    }
    if r.message
        .as_ref()
        .is_some_and(|m| m.chars().count() > 65535)
    {
        return Err("the top-level message is over 65535 characters".into());
    }
    let tests = match (&r.tests, r.status) {
        (Some(tests), _) => tests.as_slice(),
        (None, ExercismStatus::Error) => &[],
        (None, _) => return Err("status pass or fail needs tests".into()),
    };
    let got: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
    if !tests.is_empty() && got != names {
        return Err(format!("tests {got:?}, expected {names:?} in this order"));
    }
    let all_pass = tests.iter().all(|t| t.status == ExercismStatus::Pass);
    let all_error = tests.iter().all(|t| t.status == ExercismStatus::Error);
    match r.status {
        ExercismStatus::Pass if !all_pass => {
            return Err("status pass but a test did not pass".into());
        }
        ExercismStatus::Fail if all_pass => return Err("status fail but every test passed".into()),
        ExercismStatus::Error if !all_error => {
            return Err("status error (no test ran) but a test has a result".into());
        }
        _ => {}
    }
    for t in tests {
        if t.name.trim().is_empty() || t.test_code.trim().is_empty() {
            return Err(format!("test `{}`: empty name or test_code", t.name));
        }
        if t.output.as_ref().is_some_and(|o| o.chars().count() > 500) {
            return Err(format!("test `{}`: output over 500 characters", t.name));
        }
        if t.status != ExercismStatus::Pass && t.message.as_ref().is_none_or(|m| m.is_empty()) {
            return Err(format!("test `{}` did not pass and says nothing", t.name));
        }
    }
    Ok(r)
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Hidden,
    AfterDueDate,
    AfterPublished,
    Visible,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum GradescopeStatus {
    Passed,
    Failed,
}

// Every documented field is declared (so any other is refused), read or not.
#[allow(dead_code)]
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Gradescope {
    pub score: Option<f64>,
    pub max_score: Option<f64>,
    pub execution_time: Option<f64>,
    pub output: Option<String>,
    pub output_format: Option<String>,
    pub test_output_format: Option<String>,
    pub test_name_format: Option<String>,
    pub visibility: Option<Visibility>,
    pub stdout_visibility: Option<Visibility>,
    pub extra_data: Option<serde_json::Value>,
    pub tests: Option<Vec<GradescopeTest>>,
}

// Every documented field is declared (so any other is refused), read or not.
#[allow(dead_code)]
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct GradescopeTest {
    pub score: Option<f64>,
    pub max_score: Option<f64>,
    pub status: Option<GradescopeStatus>,
    pub name: Option<String>,
    pub name_format: Option<String>,
    pub number: Option<String>,
    pub output: Option<String>,
    pub output_format: Option<String>,
    pub tags: Option<Vec<String>>,
    pub visibility: Option<Visibility>,
    pub extra_data: Option<serde_json::Value>,
}

/// Checks a Gradescope `results.json`: the documented fields only; a
/// score at the top or on every test; each test's score within its
/// max_score; and ours in particular: the top score and max_score are the
/// sums of the tests', `passed` exactly when a test has all its points.
pub fn check_gradescope(text: &str, count: usize) -> Result<Gradescope, String> {
    let r: Gradescope =
        serde_json::from_str(text).map_err(|e| format!("not Gradescope's shape: {e}"))?;
    let tests = r.tests.as_deref().unwrap_or(&[]);
    if r.score.is_none() && (tests.is_empty() || tests.iter().any(|t| t.score.is_none())) {
        return Err("a score is needed at the top or on every test".into());
    }
    if tests.len() != count {
        return Err(format!("{} tests, expected {count}", tests.len()));
    }
    if r.execution_time.is_some_and(|t| t < 0.0) {
        return Err("negative execution_time".into());
    }
    let (mut sum, mut max) = (0.0, 0.0);
    for t in tests {
        let name = t.name.clone().unwrap_or_default();
        let (Some(score), Some(most)) = (t.score, t.max_score) else {
            return Err(format!("test `{name}` needs score and max_score"));
        };
        if name.is_empty() || !(0.0..=most).contains(&score) {
            return Err(format!("test `{name}`: score {score} of {most}"));
        }
        let passed = t.status == Some(GradescopeStatus::Passed);
        // A 0-point entry can fail with 0 of 0.
        if (passed && score != most) || (!passed && score == most && most > 0.0) {
            return Err(format!(
                "test `{name}`: status {:?} with {score} of {most}",
                t.status
            ));
        }
        sum += score;
        max += most;
    }
    if r.score != Some(sum) || r.max_score != Some(max) {
        return Err(format!(
            "score {:?} / {:?}, but the tests sum to {sum} / {max}",
            r.score, r.max_score
        ));
    }
    Ok(r)
}

#[test]
fn the_checks_refuse_what_the_specs_forbid() {
    let names = ["l/a".to_owned()];
    let ok = r#"{"version":2,"status":"fail","tests":[{"name":"l/a","status":"fail","message":"m","test_code":"x()"}]}"#;
    assert!(check_exercism(ok, &names).is_ok());
    for bad in [
        r#"{"version":3,"status":"fail","tests":[{"name":"l/a","status":"fail","message":"m","test_code":"x()"}]}"#,
        r#"{"version":2,"status":"fail","message":"no","tests":[{"name":"l/a","status":"fail","message":"m","test_code":"x()"}]}"#,
        r#"{"version":2,"status":"error","tests":[{"name":"l/a","status":"error","message":"m","test_code":"x()"}]}"#,
        r#"{"version":2,"status":"pass","tests":[{"name":"l/a","status":"fail","message":"m","test_code":"x()"}]}"#,
        r#"{"version":2,"status":"fail","tests":[{"name":"l/a","status":"fail","message":"m"}]}"#,
        r#"{"version":2,"status":"fail","tests":[{"name":"l/a","status":"fail","message":"m","test_code":"x()","cmd":"y"}]}"#,
    ] {
        assert!(check_exercism(bad, &names).is_err(), "{bad}");
    }
    let long = format!(
        r#"{{"version":2,"status":"fail","tests":[{{"name":"l/a","status":"fail","message":"m","test_code":"x()","output":"{}"}}]}}"#,
        "o".repeat(501)
    );
    assert!(check_exercism(&long, &names).is_err());

    let ok = r#"{"score":2,"max_score":3,"execution_time":1,"output":"o","tests":[
        {"name":"a","score":2,"max_score":2,"status":"passed","output":"","visibility":"visible"},
        {"name":"b","score":0,"max_score":1,"status":"failed","output":"x","visibility":"after_due_date"}]}"#;
    assert!(check_gradescope(ok, 2).is_ok());
    for bad in [
        ok.replace(r#""score":2,"max_score":3"#, r#""score":3,"max_score":3"#),
        ok.replace("after_due_date", "later"),
        ok.replace(r#""status":"failed""#, r#""status":"passed""#),
        ok.replace(r#""output":"o""#, r#""outputs":"o""#),
    ] {
        assert!(check_gradescope(&bad, 2).is_err(), "{bad}");
    }
}
