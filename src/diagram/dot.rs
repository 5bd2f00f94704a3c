//! Graphviz DOT: one cluster per layer, left to right (`dot -Tsvg` draws it).

use std::fmt::Write;

use super::{Drawing, node_id};

pub fn render(drawing: &Drawing) -> String {
    let mut out = format!(
        "digraph {} {{\n  label={};\n  labelloc=t;\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        quote(&drawing.title),
        quote(&drawing.title)
    );
    for (layer, nodes) in &drawing.layers {
        if nodes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  subgraph cluster_{} {{\n    label={};", layer.name(), quote(layer.name()));
        for node in nodes {
            let mut text = vec![node.id.clone()];
            text.extend(node.lines.iter().cloned());
            let _ = writeln!(out, "    {} [label={}];", node_id(&node.id), quote(&text.join("\n")));
        }
        out.push_str("  }\n");
    }
    for edge in &drawing.edges {
        let _ = writeln!(out, "  {} -> {} [label={}];", node_id(&edge.from), node_id(&edge.to), quote(&edge.label));
    }
    out.push_str("}\n");
    out
}

/// A DOT string: quotes and backslashes escaped, line breaks as `\n`.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}
