//! Blueprint variables and the sandbox that renders them into string values.
//!
//! Templates are rendered inside already-parsed scalars, never spliced into YAML text, so a
//! variable holding `"x\n  PubliclyAccessible: true"` stays one string and cannot add a key.
//! The minijinja environment has no loader (no file access), no access to the process
//! environment, strict undefined, a fuel budget and a recursion limit.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};

use crate::diagnostic::{Rule, Severity, did_you_mean, one_of};

use super::yaml::{self, Node};

/// Enough for any loop or filter chain a blueprint value needs; bounds time and memory.
const FUEL: u64 = 50_000;
const RECURSION_LIMIT: usize = 32;

pub static TEMPLATE: Rule = Rule {
    id: "template::render",
    severity: Severity::Error,
    summary: "`{{ ... }}` templates render with the declared variables, within the sandbox budget",
};
pub static UNKNOWN_VAR: Rule = Rule {
    id: "template::unknown-var",
    severity: Severity::Error,
    summary: "a variable set with `--var` or `--vars-file` is one the blueprint declares or uses",
};

/// Variable values, lowest precedence first: the blueprint's `vars:`, then `--vars-file`, then `--var`.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: IndexMap<String, (Value, Origin)>,
}

/// Where a variable's value was set, so a diagnostic about a templated value can say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Blueprint,
    VarsFile(String),
    Flag,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Origin::Blueprint => f.write_str("the blueprint's `vars:`"),
            Origin::VarsFile(path) => write!(f, "`--vars-file {path}`"),
            Origin::Flag => f.write_str("`--var`"),
        }
    }
}

impl Vars {
    /// Adds or replaces variables from a parsed YAML mapping (the blueprint's `vars:` or a vars file).
    pub fn extend_from_node(&mut self, node: &Node, origin: &Origin) {
        for entry in node.entries() {
            self.values.insert(entry.key.clone(), (to_value(&entry.value), origin.clone()));
        }
    }

    /// `--var key=value`; the value is typed like a plain YAML scalar (`4` is a number).
    pub fn set_plain(&mut self, key: &str, value: &str) {
        self.values.insert(key.to_string(), (plain_scalar(value), Origin::Flag));
    }

    /// Takes every value of `other`, replacing values of the same name.
    pub fn merge(&mut self, other: &Vars) {
        self.values.extend(other.values.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    /// "`env` is "x\ny", from `--var`": a variable's value and where it was set.
    pub fn describe(&self, name: &str) -> Option<String> {
        let (value, origin) = self.values.get(name)?;
        let shown = match value.as_str() {
            Some(text) => format!("{text:?}"),
            None => value.to_string(),
        };
        Some(format!("`{name}` is {shown}, from {origin}"))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    pub fn origin(&self, name: &str) -> Option<&Origin> {
        self.values.get(name).map(|(_, origin)| origin)
    }
}

/// Renders the templates in scalar values.
pub struct Templater {
    env: Environment<'static>,
    vars: Vars,
    context: Value,
    /// Every variable a rendered template referred to.
    used: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl Templater {
    pub fn new(vars: Vars) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_recursion_limit(RECURSION_LIMIT);
        env.set_fuel(Some(FUEL));
        let context =
            Value::from(vars.values.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect::<BTreeMap<_, _>>());
        Templater { env, vars, context, used: Default::default() }
    }

    /// The text with its templates rendered, or the original text when it holds none.
    /// `Err` holds a message and a hint for the diagnostic.
    pub fn render<'a>(&self, text: &'a str) -> Result<std::borrow::Cow<'a, str>, (String, String)> {
        if !(text.contains("{{") || text.contains("{%") || text.contains("{#")) {
            return Ok(text.into());
        }
        if let Ok(template) = self.env.template_from_str(text) {
            self.used.borrow_mut().extend(template.undeclared_variables(false));
        }
        self.env.render_str(text, &self.context).map(Into::into).map_err(|error| self.explain(text, &error))
    }

    fn explain(&self, text: &str, error: &minijinja::Error) -> (String, String) {
        let declared = || format!("declared variables: {}", one_of(&self.vars.names().collect::<Vec<_>>()));
        match error.kind() {
            ErrorKind::UndefinedError => {
                let undefined = self.undefined_names(text);
                let Some(name) = undefined.first() else {
                    return (format!("template uses an undefined value: {error}"), declared());
                };
                let hint = match did_you_mean(name, self.vars.names()) {
                    Some(close) => {
                        format!("did you mean `{close}`? Otherwise declare it under `vars:` or pass `--var {name}=...`")
                    }
                    None => format!("declare it under `vars:` or pass `--var {name}=...`; {}", declared()),
                };
                (format!("undefined variable `{name}`"), hint)
            }
            ErrorKind::OutOfFuel => (
                "template ran out of its computation budget".to_string(),
                "blueprint templates substitute values; move loops and heavy logic out of the blueprint".to_string(),
            ),
            _ => (format!("template error: {}", error.detail().unwrap_or(&error.to_string())), declared()),
        }
    }

    /// Whether a template rendered so far referred to `name`.
    pub fn uses(&self, name: &str) -> bool {
        self.used.borrow().contains(name)
    }

    /// "`env` is "prod", from `--var`" for each variable the template in `text` uses.
    pub fn provenance(&self, text: &str) -> Vec<String> {
        if !text.contains("{{") && !text.contains("{%") {
            return Vec::new();
        }
        let Ok(template) = self.env.template_from_str(text) else { return Vec::new() };
        let mut names: Vec<String> = template.undeclared_variables(false).into_iter().collect();
        names.sort();
        names.iter().filter_map(|name| self.vars.describe(name)).collect()
    }

    fn undefined_names(&self, text: &str) -> Vec<String> {
        let Ok(template) = self.env.template_from_str(text) else { return Vec::new() };
        let mut names: Vec<String> =
            template.undeclared_variables(false).into_iter().filter(|n| !self.vars.values.contains_key(n)).collect();
        names.sort();
        names
    }
}

/// A YAML value as a template value; plain scalars get the YAML 1.2 core types.
fn to_value(node: &Node) -> Value {
    match &node.value {
        yaml::Value::Scalar { text, plain: true } => plain_scalar(text),
        yaml::Value::Scalar { text, plain: false } => Value::from(text.as_str()),
        yaml::Value::Seq(items) => Value::from(items.iter().map(to_value).collect::<Vec<_>>()),
        yaml::Value::Map(entries) => {
            Value::from(entries.iter().map(|e| (e.key.clone(), to_value(&e.value))).collect::<BTreeMap<_, _>>())
        }
    }
}

fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" => Value::from(()),
        "true" => Value::from(true),
        "false" => Value::from(false),
        _ => text
            .parse::<i64>()
            .ok()
            .filter(|_| !has_leading_zero(text))
            .map(Value::from)
            .or_else(|| text.parse::<f64>().ok().filter(|f| f.is_finite()).map(Value::from))
            .unwrap_or_else(|| Value::from(text)),
    }
}

/// `0755`: YAML 1.1 reads it as octal, pipe keeps such text a string.
pub fn has_leading_zero(text: &str) -> bool {
    let digits = text.trim_start_matches(['-', '+']);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}
