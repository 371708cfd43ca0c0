//! `ghpkg prune --explain NAME`: each rule's verdict on a package and, when
//! the rule that applies has retention classes and a token is at hand,
//! each image's classes and their verdicts, as a dry run plans them.

use chrono::Utc;
use github_packages::types::PackageType;

use super::prune::rules;
use crate::args::PruneArgs;
use crate::context::Context;
use crate::exit::Exit;
use crate::model::{Mode, OwnerSpelling, PackageRef, Reason, Unit};
use crate::output;
use crate::output::json::{ExplainClassDoc, ExplainDoc, ExplainImageDoc, ExplainRuleDoc};
use crate::policy::{Action, Decision};
use crate::prune::plan::{Plan, plan};
use crate::rules::{Explanation, Rule, Rules, describe};

/// One `--explain` run: the rules' verdicts, then the images if planned.
pub struct Explain<'a> {
    package: &'a str,
    rules: Rules,
    explanation: Explanation,
    /// Each image (or version) of the packages planned; `None`: not planned.
    images: Option<Vec<ExplainImageDoc>>,
    needs_token: bool,
}

impl<'a> Explain<'a> {
    /// Reads the arguments and the policy file: no client, no request.
    pub fn new(args: &PruneArgs, package: &'a str) -> Result<Explain<'a>, Exit> {
        let rules = rules(args)?;
        let explanation = rules.explain(package);
        Ok(Explain {
            package,
            rules,
            explanation,
            images: None,
            needs_token: false,
        })
    }

    /// Whether a rule with classes applies alone to the name in its owner
    /// and type: only then are images planned.
    pub fn plans_images(&self) -> bool {
        !planned_rules(&self.explanation).is_empty()
    }

    /// There is no token: the per-image part is left out, and said so.
    pub fn needs_token(&mut self) {
        self.needs_token = true;
    }

    /// Lists and plans each package a rule with classes applies to, as a
    /// dry run does: reads only, deletes nothing, writes no journal.
    pub async fn plan_images(&mut self, context: &Context, args: &PruneArgs) -> Result<(), Exit> {
        self.rules
            .read_references(&args.keep_referenced, &context.registry.host())
            .map_err(Exit::usage)?;
        self.explanation = self.rules.explain(self.package);
        let now = Utc::now();
        let mut images = Vec::new();
        for rule in planned_rules(&self.explanation) {
            let package =
                PackageRef::new(rule.owner.clone(), rule.package_type.clone(), self.package);
            let plan = plan(context, package, &rule.retention, Mode::DryRun, now).await?;
            images.extend(image_docs(&plan, rule));
        }
        self.images = Some(images);
        Ok(())
    }

    /// Prints the explanation as text or as the `--json` document.
    pub fn print(&self, json: bool) -> Result<(), Exit> {
        let needs_token = "the per-image part (each image's classes and their verdicts) needs a \
                           token: pass --token-file PATH or set GITHUB_TOKEN or GH_TOKEN";
        if json {
            if self.needs_token {
                eprintln!("note: {needs_token}");
            }
            return output::print_json(&self.document())
                .map_err(|error| Exit::failed(error.to_string()));
        }
        let mut text = self.explanation.render();
        if self.needs_token {
            text.push_str(&format!("{needs_token}\n"));
        }
        if let Some(images) = &self.images {
            text.push_str(&render_images(images));
        }
        output::print_text(&text);
        Ok(())
    }

    fn document(&self) -> ExplainDoc<'_> {
        let rules = self
            .explanation
            .verdicts
            .iter()
            .map(|(rule, fit)| ExplainRuleDoc {
                rule: rule.source.to_string(),
                owner: rule.owner.view(),
                package_type: rule.package_type.to_string(),
                applies: fit.applies(),
                why: fit.verdict(rule),
                policy: describe(&rule.retention),
            })
            .collect();
        ExplainDoc {
            package: self.package,
            rules,
            images: self.images.as_deref(),
        }
    }
}

/// The rules with classes that apply, each alone in its owner and type
/// (two that apply are a contradiction prune refuses: nothing to plan).
fn planned_rules(explanation: &Explanation) -> Vec<&Rule> {
    explanation
        .applying()
        .into_iter()
        .filter_map(|group| match group.as_slice() {
            [rule] if rule.retention.classes.is_some() => Some(*rule),
            _ => None,
        })
        .collect()
}

/// Each top-level image of a container plan (its root's decision), or
/// each version of another type's, with every class's verdict.
fn image_docs(plan: &Plan, rule: &Rule) -> Vec<ExplainImageDoc> {
    let images = plan.images.is_some();
    let unit = if images { Unit::Image } else { Unit::Version };
    plan.decisions
        .iter()
        .filter(|decision| !images || matches!(decision.reason, Reason::OfImage(_)))
        .map(|decision| image_doc(decision, rule, &plan.package.package_type, unit))
        .collect()
}

fn image_doc(
    decision: &Decision,
    rule: &Rule,
    package_type: &PackageType,
    unit: Unit,
) -> ExplainImageDoc {
    let classes = decision
        .reason
        .class_verdicts()
        .into_iter()
        .map(|verdict| ExplainClassDoc {
            class: verdict.class.to_string(),
            action: verdict.action,
            reason: verdict.reason.wording(unit),
        })
        .collect();
    ExplainImageDoc {
        rule: rule.source.to_string(),
        package_type: package_type.to_string(),
        id: decision.version.id,
        name: decision.version.name.clone(),
        tags: decision.version.tags.clone(),
        classes,
        action: decision.action,
        class: decision.reason.deciding_class().map(ToString::to_string),
        reason: decision.reason.wording(Unit::Version),
    }
}

/// The per-image part of the text: each image, its classes' verdicts (the
/// deciding one first), and the outcome.
fn render_images(images: &[ExplainImageDoc]) -> String {
    let mut text = String::new();
    let mut rule = None;
    for image in images {
        if rule != Some(&image.rule) {
            rule = Some(&image.rule);
            text.push_str(&format!(
                "{} as a dry run plans them (rule {}):\n",
                if image.package_type == "container" {
                    "images"
                } else {
                    "versions"
                },
                image.rule
            ));
        }
        let tags = if image.tags.is_empty() {
            "untagged".to_string()
        } else {
            image.tags.join(", ")
        };
        text.push_str(&format!(
            "  {} ({tags}): {}\n",
            image.name,
            verb(image.action)
        ));
        for class in &image.classes {
            text.push_str(&format!(
                "    class {}: {}: {}\n",
                class.class,
                verb(class.action),
                class.reason
            ));
        }
        match &image.class {
            Some(class) => text.push_str(&format!("    decided by class {class}\n")),
            None => text.push_str(&format!("    {}\n", image.reason)),
        }
    }
    text
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Keep => "keep",
        Action::Delete => "delete",
    }
}
