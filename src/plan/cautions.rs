//! What a plan's reader must see before its actions, in the order both views show it: what is
//! missing, what is blocked, what loses data, what changes security. The text and markdown
//! views render these same sections, each in its own dialect.

use super::{Action, Plan};

/// One section of cautions.
pub struct Caution<'p> {
    pub title: &'static str,
    /// What apply does about it (`refuses these without --allow-data-loss`); `None` for a
    /// warning apply does not act on.
    pub refusal: Option<&'static str>,
    pub items: Vec<Item<'p>>,
}

/// One thing a caution names, and what it says of it.
pub struct Item<'p> {
    pub subject: Subject<'p>,
    /// Each a labelled line: `("lost", "the stream's records")`; an empty label for plain text.
    pub details: Vec<(&'static str, &'p str)>,
}

impl Item<'_> {
    /// Each detail as it is written: `lost: the stream's records`, or the text alone.
    pub fn detail_lines(&self) -> Vec<String> {
        let line = |(label, text): &(&str, &str)| {
            if label.is_empty() { text.to_string() } else { format!("{label}: {text}") }
        };
        self.details.iter().map(line).collect()
    }
}

/// What an item is about.
pub enum Subject<'p> {
    /// An action, named by its verb and heading.
    Action(&'p Action),
    /// A resource by logical id.
    Resource(&'p str),
    /// A sentence of its own.
    Text(&'p str),
}

/// The plan's cautions, empty sections left out.
pub fn of(plan: &Plan) -> Vec<Caution<'_>> {
    let missing = plan
        .missing_prerequisites
        .iter()
        .map(|missing| Item { subject: Subject::Text(missing), details: Vec::new() })
        .collect();
    let blocked = plan
        .blocked()
        .map(|action| Item {
            subject: Subject::Action(action),
            details: vec![("", action.blocked.as_deref().unwrap_or_default())],
        })
        .collect();
    let lost = plan
        .data_loss()
        .filter_map(|action| {
            let loss = action.data_loss.as_ref()?;
            Some(Item {
                subject: Subject::Action(action),
                details: vec![("lost", loss.lost.as_str()), ("safer", loss.safer_path.as_str())],
            })
        })
        .collect();
    let security = plan
        .actions
        .iter()
        .flat_map(|action| {
            action
                .security
                .iter()
                .map(|line| Item { subject: Subject::Resource(&action.resource), details: vec![("", line.as_str())] })
        })
        .collect();
    [
        Caution { title: "Missing prerequisites", refusal: Some("refuses until they exist"), items: missing },
        Caution { title: "Blocked", refusal: Some("refuses the plan whatever its flags"), items: blocked },
        Caution { title: "Data loss", refusal: Some("refuses these without --allow-data-loss"), items: lost },
        Caution { title: "Security changes", refusal: None, items: security },
    ]
    .into_iter()
    .filter(|caution| !caution.items.is_empty())
    .collect()
}
