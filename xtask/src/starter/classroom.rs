//! GitHub Classroom's autograding workflow, from the templates
//! `classroom.yml` (the workflow) and `classroom-lab.yml` (one step per
//! scenario): `%NAME%` placeholders, filled from `labs/info.toml`.

use crate::labs::Info;

/// The workflow, relative to the starter's root.
pub const CLASSROOM_WORKFLOW: &str = ".github/workflows/classroom.yml";

const WORKFLOW: &str = include_str!("classroom.yml");
const SCENARIO_STEP: &str = include_str!("classroom-lab.yml");

/// One command test per scenario, `cargo xtask check-lab N --scenario
/// NAME`, worth the scenario's points: Classroom's total is the sum the
/// grader gives (`grades.csv`) for the same code.
pub fn classroom_workflow(info: &Info) -> String {
    let mut steps = String::new();
    let mut results = String::new();
    let mut runners = Vec::new();
    for lab in &info.labs {
        for scenario in &lab.scenarios {
            let id = format!("lab{:02}-{}", lab.number, scenario.name.replace('_', "-"));
            steps.push_str(
                &SCENARIO_STEP
                    .replace("%NUMBER%", &lab.number.to_string())
                    .replace("%SCENARIO%", &scenario.name)
                    .replace("%ID%", &id)
                    .replace("%POINTS%", &scenario.points.to_string()),
            );
            results.push_str(&format!(
                "          {}_RESULTS: \"${{{{steps.{id}.outputs.result}}}}\"\n",
                id.to_uppercase()
            ));
            runners.push(id);
        }
    }
    WORKFLOW
        .replace("%STEPS%", &steps)
        .replace("%RESULTS%", &results)
        .replace("%RUNNERS%", &runners.join(","))
}
