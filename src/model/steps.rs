//! What deploying leaves undone and pipe does after it, as steps of the plan: start a Managed
//! Flink application (CloudFormation creates it READY), start a run of a Glue streaming job (a job
//! is a definition; a run is what reads the stream), and create a warehouse's tables from their
//! DDL (Firehose COPYs into a table that must exist). Both targets plan and run these.

use serde_json::Value;

use super::Pipeline;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    StartFlinkApplication { logical_id: String, component: String, name: String },
    StartGlueJob { logical_id: String, component: String, name: String },
    CreateTable(WarehouseTable),
}

/// A table of a Redshift warehouse, created through the Redshift Data API with the warehouse's
/// admin secret.
#[derive(Debug, Clone, PartialEq)]
pub struct WarehouseTable {
    /// The warehouse's workgroup or cluster.
    pub logical_id: String,
    pub component: String,
    pub table: String,
    pub database: String,
    pub warehouse: Warehouse,
    /// The ARN of the admin secret, as a template value.
    pub secret: Value,
    /// The DDL file, as the blueprint names it.
    pub ddl: String,
    /// Its statements, comments and blank ones left out.
    pub statements: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warehouse {
    Workgroup(String),
    Cluster(String),
}

impl Step {
    /// The resource the step acts on.
    pub fn logical_id(&self) -> &str {
        match self {
            Step::StartFlinkApplication { logical_id, .. } | Step::StartGlueJob { logical_id, .. } => logical_id,
            Step::CreateTable(table) => &table.logical_id,
        }
    }

    pub fn component(&self) -> &str {
        match self {
            Step::StartFlinkApplication { component, .. } | Step::StartGlueJob { component, .. } => component,
            Step::CreateTable(table) => &table.component,
        }
    }

    /// How the plan names the step.
    pub fn id(&self) -> String {
        match self {
            Step::StartFlinkApplication { .. } | Step::StartGlueJob { .. } => format!("start {}", self.logical_id()),
            Step::CreateTable(table) => format!("create table {} in {}", table.table, table.logical_id),
        }
    }
}

/// Every step of the pipeline, tables before starts: what a started job writes to must exist.
pub fn steps(pipeline: &Pipeline) -> Vec<Step> {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
    let starts = pipeline.resources.iter().filter_map(|(id, resource)| {
        let (logical_id, component) = (id.clone(), resource.component.clone());
        match resource.cfn_type {
            "AWS::KinesisAnalyticsV2::Application" => {
                let name = text(resource.properties.get("ApplicationName"))?;
                Some(Step::StartFlinkApplication { logical_id, component, name })
            }
            "AWS::Glue::Job"
                if resource.properties.get("Command").and_then(|c| c.get("Name")).and_then(Value::as_str)
                    == Some("gluestreaming") =>
            {
                let name = text(resource.properties.get("Name"))?;
                Some(Step::StartGlueJob { logical_id, component, name })
            }
            _ => None,
        }
    });
    pipeline.tables.iter().cloned().map(Step::CreateTable).chain(starts).collect()
}

/// The statements of a SQL file, in order: split at semicolons outside quotes and comments, with
/// the comments dropped (the Data API runs one statement per call).
pub fn statements(sql: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), _) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_), _) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, '-') if chars.peek() == Some(&'-') => while chars.next_if(|&n| n != '\n').is_some() {},
            (None, '/') if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = ' ';
                for n in chars.by_ref() {
                    if previous == '*' && n == '/' {
                        break;
                    }
                    previous = n;
                }
                current.push(' ');
            }
            (None, ';') => statements.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    statements.push(current);
    statements.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_at_semicolons_outside_quotes_and_comments() {
        let sql = "-- a table; with a comment\nCREATE TABLE a (x VARCHAR(4) DEFAULT ';'); /* b; */\n\
                   CREATE TABLE \"b;c\" (y INT) -- trailing; comment\n;\n-- SELECT 1;\n";
        assert_eq!(statements(sql), ["CREATE TABLE a (x VARCHAR(4) DEFAULT ';')", "CREATE TABLE \"b;c\" (y INT)"]);
    }

    #[test]
    fn a_file_of_comments_has_no_statement() {
        assert!(statements("-- nothing to run;\n/* still; nothing */\n").is_empty());
    }
}
