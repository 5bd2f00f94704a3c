//! CloudWatch: `AWS::CloudWatch::Alarm` and `AWS::CloudWatch::Dashboard`.

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic, Tag};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, adopt, converge_tags, found, list_all, tag_list,
};
use crate::backend::sdk::resolve::Handle;
use crate::model::cfn::number;
use crate::plan::Change;

pub struct Alarm;

fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    Some(value?.as_array()?.iter().filter_map(Value::as_str).map(str::to_string).collect())
}

fn cloudwatch_tags(pairs: Vec<(String, String)>) -> Vec<Tag> {
    pairs.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

#[async_trait]
impl Provider for Alarm {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        list_all(|token| async move {
            let page = aws
                .cloudwatch
                .describe_alarms()
                .alarm_name_prefix(prefix)
                .set_next_token(token)
                .send()
                .await
                .map_err(api("DescribeAlarms"))?;
            let names = page.metric_alarms().iter().filter_map(|a| a.alarm_name()).map(str::to_string).collect();
            Ok((names, page.next_token().map(str::to_string)))
        })
        .await
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let found =
            aws.cloudwatch.describe_alarms().alarm_names(&desired.name).send().await.map_err(api("DescribeAlarms"))?;
        let Some(alarm) = found.metric_alarms().iter().find(|a| a.alarm_name() == Some(desired.name.as_str())) else {
            return Ok(None);
        };
        let arn = alarm.alarm_arn().unwrap_or_default().to_string();
        let tags = aws
            .cloudwatch
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .map_err(api("ListTagsForResource"))?;
        let dimensions: Vec<Value> =
            alarm.dimensions().iter().map(|d| json!({ "Name": d.name(), "Value": d.value() })).collect();
        let mut properties = Map::from_iter([
            ("AlarmName".to_string(), json!(desired.name)),
            ("Dimensions".to_string(), Value::Array(dimensions)),
        ]);
        let texts = [
            ("AlarmDescription", alarm.alarm_description()),
            ("Namespace", alarm.namespace()),
            ("MetricName", alarm.metric_name()),
            ("Statistic", alarm.statistic().map(Statistic::as_str)),
            ("ExtendedStatistic", alarm.extended_statistic()),
            ("ComparisonOperator", alarm.comparison_operator().map(ComparisonOperator::as_str)),
            ("TreatMissingData", alarm.treat_missing_data()),
        ];
        for (key, value) in texts {
            if let Some(value) = value {
                properties.insert(key.into(), json!(value));
            }
        }
        for (key, value) in [("Period", alarm.period()), ("EvaluationPeriods", alarm.evaluation_periods())] {
            if let Some(value) = value {
                properties.insert(key.into(), json!(value));
            }
        }
        if let Some(threshold) = alarm.threshold() {
            properties.insert("Threshold".into(), number(threshold));
        }
        for (key, actions) in [("AlarmActions", alarm.alarm_actions()), ("OKActions", alarm.ok_actions())] {
            if !actions.is_empty() {
                properties.insert(key.into(), json!(actions));
            }
        }
        let pairs = tags
            .tags()
            .iter()
            .map(|t| (t.key().unwrap_or_default().to_string(), t.value().unwrap_or_default().to_string()));
        properties.insert("Tags".into(), tag_list(pairs));
        let handle =
            Handle { physical_id: desired.name.clone(), attributes: Map::from_iter([("Arn".into(), json!(arn))]) };
        Ok(Some(Live { handle, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        // PutMetricAlarm creates or replaces: the same call makes the alarm and updates it.
        // Read back until DescribeAlarms lists it, as after any create.
        let put = put_alarm(aws, desired, Some(desired.tags())).await;
        adopt(self, aws, desired, put, &[]).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        if changes.iter().any(|c| c.path != "Tags" && !c.path.starts_with("Tags[")) {
            put_alarm(aws, desired, None).await?;
        }
        let arn = live.handle.attributes.get("Arn").and_then(Value::as_str).unwrap_or_default();
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagResource", |keys| aws.cloudwatch.untag_resource().resource_arn(arn).set_tag_keys(Some(keys)).send()),
            ("TagResource", |pairs| {
                aws.cloudwatch.tag_resource().resource_arn(arn).set_tags(Some(cloudwatch_tags(pairs))).send()
            }),
        )
        .await?;
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("DescribeAlarms", format!("alarm {} vanished", desired.name)))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        // DeleteAlarms answers ResourceNotFound only when none of the names exists.
        tolerate(
            aws.cloudwatch
                .delete_alarms()
                .alarm_names(&live.handle.physical_id)
                .send()
                .await
                .map_err(api("DeleteAlarms")),
            &["ResourceNotFound"],
        )
    }
}

/// PutMetricAlarm with every property of `desired` (it replaces the whole alarm); `tags` only
/// when the alarm is new, since the call ignores them on an existing one.
async fn put_alarm(aws: &Clients, desired: &Desired, tags: Option<Vec<(String, String)>>) -> Result<(), ApiError> {
    let dimensions = desired
        .get("Dimensions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|d| {
            Dimension::builder()
                .set_name(d["Name"].as_str().map(str::to_string))
                .set_value(d["Value"].as_str().map(str::to_string))
                .build()
        })
        .collect();
    aws.cloudwatch
        .put_metric_alarm()
        .alarm_name(&desired.name)
        .set_alarm_description(desired.str("AlarmDescription").map(str::to_string))
        .set_namespace(desired.str("Namespace").map(str::to_string))
        .set_metric_name(desired.str("MetricName").map(str::to_string))
        .set_dimensions(Some(dimensions))
        .set_statistic(desired.str("Statistic").map(Statistic::from))
        .set_extended_statistic(desired.str("ExtendedStatistic").map(str::to_string))
        .set_period(desired.i32("Period"))
        .set_evaluation_periods(desired.i32("EvaluationPeriods"))
        .set_threshold(desired.get("Threshold").and_then(Value::as_f64))
        .set_comparison_operator(desired.str("ComparisonOperator").map(ComparisonOperator::from))
        .set_treat_missing_data(desired.str("TreatMissingData").map(str::to_string))
        .set_alarm_actions(strings(desired.get("AlarmActions")))
        .set_ok_actions(strings(desired.get("OKActions")))
        .set_tags(tags.map(cloudwatch_tags))
        .send()
        .await
        .map_err(api("PutMetricAlarm"))?;
    Ok(())
}

pub struct Dashboard;

/// A dashboard body in one canonical form, so the one rendered and the one AWS gives back compare
/// equal whatever spacing either has.
fn canonical(body: &str) -> String {
    serde_json::from_str::<Value>(body).map_or_else(|_| body.to_string(), |parsed| parsed.to_string())
}

#[async_trait]
impl Provider for Dashboard {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let got = found(
            aws.cloudwatch.get_dashboard().dashboard_name(&desired.name).send().await.map_err(api("GetDashboard")),
            |e| e.is("ResourceNotFound"),
        )?;
        let Some(dashboard) = got else { return Ok(None) };
        let properties = Map::from_iter([
            ("DashboardName".to_string(), json!(desired.name)),
            ("DashboardBody".to_string(), json!(canonical(dashboard.dashboard_body().unwrap_or_default()))),
        ]);
        let handle = Handle { physical_id: desired.name.clone(), attributes: Map::new() };
        Ok(Some(Live { handle, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        self.update(aws, desired, &Live::default(), &[]).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        _live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        // PutDashboard creates or replaces the whole dashboard.
        aws.cloudwatch
            .put_dashboard()
            .dashboard_name(&desired.name)
            .dashboard_body(canonical(desired.str("DashboardBody").unwrap_or("{}")))
            .send()
            .await
            .map_err(api("PutDashboard"))?;
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("GetDashboard", format!("dashboard {} vanished", desired.name)))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        tolerate(
            aws.cloudwatch
                .delete_dashboards()
                .dashboard_names(&live.handle.physical_id)
                .send()
                .await
                .map_err(api("DeleteDashboards")),
            &["ResourceNotFound"],
        )
    }
}
