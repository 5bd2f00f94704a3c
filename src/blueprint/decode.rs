//! A serde `Deserializer` over the spanned YAML tree that reports every problem it meets.
//!
//! serde stops at the first error; users want them all. So this deserializer records each problem
//! as a [`Diagnostic`] with its path and span the moment it sees it, then carries on where it can:
//! unknown keys are reported and skipped, a scalar of the wrong type is reported and replaced by a
//! placeholder. Where it cannot carry on (a missing required field, an unknown `kind`), the error
//! rises to the nearest [`Recover`] boundary, which drops just that component. A component with a
//! placeholder is dropped too, so placeholders never reach the validation rules.
//!
//! Scalars are read by the type of the field: `no` is a string for a string field and an error for
//! a boolean one; `0755` is a string, never octal. Templates in scalars are rendered here.

use std::cell::RefCell;
use std::fmt::Display;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer};

use crate::diagnostic::{Diagnostic, Rule, Severity, Span, did_you_mean, one_of};

use super::vars::{TEMPLATE, Templater, has_leading_zero};
use super::yaml::{Entry, Node, Value};

pub static UNKNOWN_FIELD: Rule =
    Rule { id: "schema::unknown-field", severity: Severity::Error, summary: "every key is a field pipe knows" };
pub static MISSING_FIELD: Rule =
    Rule { id: "schema::missing-field", severity: Severity::Error, summary: "required fields are present" };
pub static WRONG_TYPE: Rule =
    Rule { id: "schema::type", severity: Severity::Error, summary: "each value has the type its field expects" };
pub static UNKNOWN_VARIANT: Rule = Rule {
    id: "schema::unknown-value",
    severity: Severity::Error,
    summary: "choice fields take one of their listed values",
};

pub static RULES: &[&Rule] = &[&UNKNOWN_FIELD, &MISSING_FIELD, &WRONG_TYPE, &UNKNOWN_VARIANT];

/// Mappings that stand for an enum variant name it under this key.
const TAG_KEY: &str = "kind";
const RECOVER: &str = "$pipe::Recover";

pub struct Decoder<'a> {
    templater: &'a Templater,
    diagnostics: RefCell<Vec<Diagnostic>>,
    /// Problems that left a placeholder or a gap in the decoded value. Unknown keys are skipped
    /// whole and leave none, so a component with only those is still checked by the rules.
    gaps: std::cell::Cell<usize>,
}

impl<'a> Decoder<'a> {
    pub fn new(templater: &'a Templater) -> Self {
        Decoder { templater, diagnostics: RefCell::new(Vec::new()), gaps: std::cell::Cell::new(0) }
    }

    /// Decodes `node`; `None` when a problem stopped it (the problem is recorded).
    pub fn decode<T: de::DeserializeOwned>(&self, node: &Node) -> Option<T> {
        T::deserialize(NodeDe { node, path: String::new(), cx: self, skip_key: None }).ok()
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics.into_inner()
    }

    fn record(&self, diagnostic: Diagnostic) -> Error {
        if diagnostic.rule != UNKNOWN_FIELD.id {
            self.gaps.set(self.gaps.get() + 1);
        }
        self.diagnostics.borrow_mut().push(diagnostic);
        Error::Reported
    }

    fn gaps(&self) -> usize {
        self.gaps.get()
    }
}

/// Decodes a `T` but turns any problem inside it into `None`, so one broken component does not
/// hide the others. Only meaningful under [`Decoder`], which has recorded every problem already.
pub struct Recover<T>(pub Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Recover<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecoverVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for RecoverVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a component")
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
                T::deserialize(d)
            }
        }
        Ok(Recover(deserializer.deserialize_newtype_struct(RECOVER, RecoverVisitor(PhantomData)).ok()))
    }
}

/// `deserialize_with` for lists whose items recover one by one.
pub fn recover_each<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Vec::<Recover<T>>::deserialize(d)?.into_iter().filter_map(|r| r.0).collect())
}

#[derive(Debug)]
pub enum Error {
    /// Already recorded as a diagnostic.
    Reported,
    /// Raised by derived code (a missing field, a custom check); located by the caller.
    Raised { message: String, missing: Option<&'static str> },
}

impl Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Error::Reported => f.write_str("reported"),
            Error::Raised { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error::Raised { message: msg.to_string(), missing: None }
    }

    fn missing_field(field: &'static str) -> Self {
        Error::Raised { message: format!("missing required field `{field}`"), missing: Some(field) }
    }
}

struct NodeDe<'n, 'c> {
    node: &'n Node,
    path: String,
    cx: &'c Decoder<'c>,
    /// The enum tag key, already consumed by the enum and not a field of the variant.
    skip_key: Option<&'static str>,
}

fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

impl<'n, 'c> NodeDe<'n, 'c> {
    fn at(&self, node: &'n Node, path: String) -> Self {
        NodeDe { node, path, cx: self.cx, skip_key: None }
    }

    fn diagnostic(&self, rule: &Rule, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, message).at(self.path.clone()).span(self.node.span)
    }

    /// Locates an error raised by derived code at this node and records it.
    fn locate(&self, error: Error) -> Error {
        match error {
            Error::Reported => Error::Reported,
            Error::Raised { message, missing: Some(field) } => {
                let mut d = Diagnostic::new(&MISSING_FIELD, message).at(self.path.clone()).span(key_point(self.node));
                d = d.hint(format!("add `{field}:` here"));
                self.cx.record(d)
            }
            Error::Raised { message, missing: None } => {
                let d = self.diagnostic(&WRONG_TYPE, message);
                self.cx.record(d)
            }
        }
    }

    fn mismatch(&self, expected: &str) -> Error {
        let message = format!("expected {expected}, found {}", self.node.describe());
        let d = self.diagnostic(&WRONG_TYPE, message);
        self.cx.record(d)
    }

    /// The scalar's text with templates rendered; `None` (recorded) for a non-scalar.
    fn text(&self, expected: &str) -> Option<String> {
        let Value::Scalar { text, .. } = &self.node.value else {
            self.mismatch(expected);
            return None;
        };
        match self.cx.templater.render(text) {
            Ok(rendered) => Some(rendered.into_owned()),
            Err((message, hint)) => {
                let d = self.diagnostic(&TEMPLATE, message).hint(hint);
                self.cx.record(d);
                None
            }
        }
    }

    fn number<T: std::str::FromStr>(&self, expected: &str, placeholder: T) -> T {
        let Some(text) = self.text(expected) else { return placeholder };
        if has_leading_zero(&text) {
            let d =
                self.diagnostic(&WRONG_TYPE, format!("`{text}` has a leading zero")).expected(expected).hint(format!(
                    "write `{}`; YAML 1.1 tools would read `{text}` as an octal number",
                    text.trim_start_matches('0')
                ));
            self.cx.record(d);
            return placeholder;
        }
        match text.trim().parse() {
            Ok(n) => n,
            Err(_) => {
                let negative = text.trim().starts_with('-') && text.trim()[1..].parse::<u64>().is_ok();
                let message = if negative {
                    format!("`{text}` is negative")
                } else if text.trim().bytes().all(|b| b.is_ascii_digit()) {
                    format!("`{text}` is too large")
                } else {
                    format!("expected {expected}, found {}", self.node.describe())
                };
                let d = self.diagnostic(&WRONG_TYPE, message).expected(expected);
                self.cx.record(d);
                placeholder
            }
        }
    }

    fn unknown_variant(&self, given: &str, variants: &'static [&'static str], what: &str, span: Span) -> Error {
        let mut d = Diagnostic::new(&UNKNOWN_VARIANT, format!("unknown {what} `{given}`"))
            .at(self.path.clone())
            .span(span)
            .expected(one_of(variants));
        if let Some(close) = did_you_mean(given, variants.iter().copied()) {
            d = d.hint(format!("did you mean `{close}`?"));
        }
        self.cx.record(d)
    }
}

/// Where to point for a problem with a whole mapping: its first key, not all of its lines.
fn key_point(node: &Node) -> Span {
    node.entries().first().map_or(Span::point(node.span.start), |e| e.key_span)
}

macro_rules! numbers {
    ($($method:ident $visit:ident $ty:ty => $expected:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let n: $ty = self.number($expected, <$ty>::default());
            visitor.$visit(n).map_err(|e| self.locate(e))
        }
    )*};
}

impl<'de> Deserializer<'de> for NodeDe<'_, '_> {
    type Error = Error;

    /// Used by values that accept several shapes (`shards: auto | 4`, `to: id | [ids]`): plain
    /// scalars get their YAML 1.2 core type, quoted ones stay strings.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.node.value {
            Value::Seq(_) => return self.deserialize_seq(visitor),
            Value::Map(_) => return self.deserialize_map(visitor),
            _ if self.node.is_null() => visitor.visit_none(),
            Value::Scalar { text, plain: true } if text == "true" || text == "false" => {
                visitor.visit_bool(text == "true")
            }
            Value::Scalar { text, plain: true } if !has_leading_zero(text) && text.parse::<u64>().is_ok() => {
                visitor.visit_u64(text.parse().expect("checked"))
            }
            Value::Scalar { .. } => match self.text("a value") {
                Some(text) => visitor.visit_string(text),
                None => return Err(Error::Reported),
            },
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let value = match self.text("`true` or `false`").as_deref() {
            Some("true") => true,
            Some("false") => false,
            None => false,
            Some(other) => {
                let mut d = self.diagnostic(&WRONG_TYPE, format!("expected `true` or `false`, found `{other}`"));
                if matches!(other.to_ascii_lowercase().as_str(), "yes" | "no" | "on" | "off" | "y" | "n") {
                    d = d.hint(format!(
                        "YAML 1.1 read `{other}` as a boolean; pipe reads YAML 1.2: write `true` or `false`"
                    ));
                }
                self.cx.record(d);
                false
            }
        };
        visitor.visit_bool(value).map_err(|e| self.locate(e))
    }

    numbers! {
        deserialize_u8 visit_u8 u8 => "a whole number from 0 to 255";
        deserialize_u16 visit_u16 u16 => "a whole number from 0 to 65535";
        deserialize_u32 visit_u32 u32 => "a whole number, 0 or more";
        deserialize_u64 visit_u64 u64 => "a whole number, 0 or more";
        deserialize_i8 visit_i8 i8 => "a whole number";
        deserialize_i16 visit_i16 i16 => "a whole number";
        deserialize_i32 visit_i32 i32 => "a whole number";
        deserialize_i64 visit_i64 i64 => "a whole number";
        deserialize_f32 visit_f32 f32 => "a number";
        deserialize_f64 visit_f64 f64 => "a number";
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() {
            return Err(self.mismatch("a string"));
        }
        let text = self.text("a string").unwrap_or_default();
        visitor.visit_string(text).map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, Error> {
        if name != RECOVER {
            return visitor.visit_newtype_struct(self);
        }
        let before = self.cx.gaps();
        let cx = self.cx;
        let value = visitor.visit_newtype_struct(self)?;
        if cx.gaps() > before { Err(Error::Reported) } else { Ok(value) }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let items: &[Node] = match &self.node.value {
            Value::Seq(items) => items,
            _ => {
                self.mismatch("a list");
                &[]
            }
        };
        let access = SeqAccess { parent: &self, items: items.iter().enumerate() };
        let result = visitor.visit_seq(access);
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let entries: Vec<&Entry> = match &self.node.value {
            Value::Map(entries) => entries.iter().collect(),
            _ => {
                self.mismatch("a mapping");
                Vec::new()
            }
        };
        let result = visitor.visit_map(MapAccess { parent: &self, entries: entries.into_iter(), value: None });
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let Value::Map(entries) = &self.node.value else {
            return Err(self.mismatch("a mapping"));
        };
        let mut known = Vec::with_capacity(entries.len());
        for entry in entries {
            if Some(entry.key.as_str()) == self.skip_key {
                continue;
            }
            if fields.contains(&entry.key.as_str()) {
                known.push(entry);
                continue;
            }
            let mut d = Diagnostic::new(&UNKNOWN_FIELD, format!("unknown field `{}`", entry.key))
                .at(child_path(&self.path, &entry.key))
                .span(entry.key_span)
                .expected(format!("one of {}", one_of(fields)));
            if let Some(close) = did_you_mean(&entry.key, fields.iter().copied()) {
                d = d.hint(format!("did you mean `{close}`?"));
            }
            self.cx.record(d);
        }
        let result = visitor.visit_map(MapAccess { parent: &self, entries: known.into_iter(), value: None });
        result.map_err(|e| self.locate(e))
    }

    /// Enums are written as a plain value (`mode: on-demand`) or, for components, as a mapping
    /// whose `kind` key names the variant.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let what = if name == "Component" { "component kind" } else { "value" };
        match &self.node.value {
            Value::Scalar { .. } => {
                let text = self.text(&format!("one of {}", one_of(variants))).ok_or(Error::Reported)?;
                if !variants.contains(&text.as_str()) {
                    self.unknown_variant(&text, variants, what, self.node.span);
                    // A placeholder lets decoding go on to report the component's other problems;
                    // `Recover` drops the component, so the placeholder is never used.
                    let placeholder: de::value::StrDeserializer<Error> = variants[0].into_deserializer();
                    return visitor.visit_enum(placeholder).map_err(|_| Error::Reported);
                }
                let result = visitor.visit_enum(text.into_deserializer());
                result.map_err(|e| self.locate(e))
            }
            Value::Map(_) => {
                let Some(tag) = self.node.get(TAG_KEY) else {
                    let d = Diagnostic::new(&MISSING_FIELD, format!("missing required field `{TAG_KEY}`"))
                        .at(self.path.clone())
                        .span(key_point(self.node))
                        .expected(one_of(variants));
                    return Err(self.cx.record(d));
                };
                let tag_de = self.at(&tag.value, child_path(&self.path, TAG_KEY));
                let kind = tag_de.text("a component kind").ok_or(Error::Reported)?;
                if !variants.contains(&kind.as_str()) {
                    return Err(tag_de.unknown_variant(&kind, variants, what, tag.value.span));
                }
                let result = visitor.visit_enum(TaggedEnum {
                    kind,
                    content: NodeDe { skip_key: Some(TAG_KEY), ..self.at(self.node, self.path.clone()) },
                });
                result.map_err(|e| self.locate(e))
            }
            Value::Seq(_) => Err(self.mismatch(&format!("one of {}", one_of(variants)))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'p, 'n, 'c, I> {
    parent: &'p NodeDe<'n, 'c>,
    items: I,
}

impl<'de, 'n, 'c, I: Iterator<Item = (usize, &'n Node)>> de::SeqAccess<'de> for SeqAccess<'_, 'n, 'c, I> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            None => Ok(None),
            Some((index, node)) => {
                let path = format!("{}[{index}]", self.parent.path);
                seed.deserialize(self.parent.at(node, path)).map(Some)
            }
        }
    }
}

struct MapAccess<'p, 'n, 'c, I> {
    parent: &'p NodeDe<'n, 'c>,
    entries: I,
    value: Option<&'n Entry>,
}

impl<'de, 'n, 'c, I: Iterator<Item = &'n Entry>> de::MapAccess<'de> for MapAccess<'_, 'n, 'c, I> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some(entry) = self.entries.next() else { return Ok(None) };
        self.value = Some(entry);
        seed.deserialize(entry.key.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let entry = self.value.take().expect("serde asks for a value after its key");
        seed.deserialize(self.parent.at(&entry.value, child_path(&self.parent.path, &entry.key)))
    }
}

struct TaggedEnum<'n, 'c> {
    kind: String,
    content: NodeDe<'n, 'c>,
}

impl<'de, 'n, 'c> de::EnumAccess<'de> for TaggedEnum<'n, 'c> {
    type Error = Error;
    type Variant = NodeDe<'n, 'c>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant), Error> {
        let kind: de::value::StringDeserializer<Error> = self.kind.into_deserializer();
        Ok((seed.deserialize(kind)?, self.content))
    }
}

impl<'de> de::VariantAccess<'de> for NodeDe<'_, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        self.deserialize_struct("", fields, visitor)
    }
}
