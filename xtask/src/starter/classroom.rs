//! GitHub Classroom's autograding workflow, from the templates
//! `classroom.yml` (the workflow) and `classroom-lab.yml` (one step per
//! lab): `%NAME%` placeholders, filled from `labs/info.toml`.

use crate::labs::Info;

/// The workflow, relative to the starter's root.
pub const CLASSROOM_WORKFLOW: &str = ".github/workflows/classroom.yml";

const WORKFLOW: &str = include_str!("classroom.yml");
const LAB_STEP: &str = include_str!("classroom-lab.yml");

/// One command test per lab, `cargo xtask check-lab N`, worth the lab's
/// points.
pub fn classroom_workflow(info: &Info) -> String {
    let mut steps = String::new();
    let mut results = String::new();
    let mut runners = Vec::new();
    for lab in &info.labs {
        let id = format!("lab-{:02}", lab.number);
        steps.push_str(
            &LAB_STEP
                .replace("%NUMBER%", &lab.number.to_string())
                .replace("%NAME%", &lab.name)
                .replace("%ID%", &id)
                .replace("%MAX_SCORE%", &lab.max_points().to_string()),
        );
        results.push_str(&format!(
            "          {}_RESULTS: \"${{{{steps.{id}.outputs.result}}}}\"\n",
            id.to_uppercase()
        ));
        runners.push(id);
    }
    WORKFLOW
        .replace("%LAB_STEPS%", &steps)
        .replace("%RESULTS%", &results)
        .replace("%RUNNERS%", &runners.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lab_that_does_not_compile_costs_only_its_own_points() {
        let info = Info::load(&crate::labs::workspace_root()).unwrap();
        let workflow = classroom_workflow(&info);
        // No step builds every lab: one broken lab would fail it and skip
        // the rest.
        assert!(!workflow.contains("--workspace"), "{workflow}");
        // Every lab's step (and the reporter) runs whatever failed before.
        let runs_anyway = workflow.matches("if: ${{ !cancelled() }}").count();
        assert_eq!(runs_anyway, info.labs.len() + 1, "{workflow}");
        for lab in &info.labs {
            assert!(workflow.contains(&format!("command: cargo xtask check-lab {}\n", lab.number)));
        }
    }
}
