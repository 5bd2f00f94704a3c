//! Mermaid `flowchart LR`: pastes into pull requests and READMEs, which render it.

use std::fmt::Write;

use super::{Drawing, node_id};

pub fn render(drawing: &Drawing) -> String {
    let mut out = format!("---\ntitle: {}\n---\nflowchart LR\n", escape(&drawing.title));
    for (layer, nodes) in &drawing.layers {
        if nodes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  subgraph {}[\"{}\"]", layer.name(), layer.name());
        out.push_str("    direction TB\n");
        for node in nodes {
            let mut text = vec![format!("<b>{}</b>", escape(&node.id))];
            text.extend(node.lines.iter().map(|l| escape(l)));
            let _ = writeln!(out, "    {}[\"{}\"]", node_id(&node.id), text.join("<br/>"));
        }
        out.push_str("  end\n");
    }
    for edge in &drawing.edges {
        let (from, to) = (node_id(&edge.from), node_id(&edge.to));
        if edge.label.is_empty() {
            let _ = writeln!(out, "  {from} --> {to}");
        } else {
            let _ = writeln!(out, "  {from} -- \"{}\" --> {to}", escape(&edge.label));
        }
    }
    out
}

/// Mermaid's entity escapes for the characters that end or confuse a quoted label.
fn escape(text: &str) -> String {
    text.replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;")
}
