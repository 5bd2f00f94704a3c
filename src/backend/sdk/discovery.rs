//! Finding what earlier versions of a blueprint left: resources tagged for the pipeline that
//! the model no longer has. The Resource Groups Tagging API says which services hold the
//! pipeline's resources, so a plan lists only those and the ones the pipeline uses: planning a
//! Kinesis-only pipeline needs no permission on Redshift, EMR or SageMaker.

use std::collections::{BTreeSet, HashMap, HashSet};

use aws_sdk_resourcegroupstagging::types::TagFilter;
use serde_json::Map;

use super::provider::{Clients, Desired, Live, list_all};
use super::providers::{self, Discovery};
use super::resolve::Handle;
use super::{Engine, Error, Orphan};
use crate::backend::aws::{ApiError, api};

impl Engine<'_> {
    /// Lists each discovered type of the services worth looking in (`families`) by the
    /// pipeline's name prefix, and keeps what carries this pipeline's tag but is not a resource of
    /// the model; then the children (`Discovery::Child`) the model does not have, which go first. Also
    /// returns where it could not look, and why.
    pub(super) async fn orphans(
        &self,
        live: &HashMap<String, Live>,
        handles: &HashMap<String, Handle>,
    ) -> Result<(Vec<Orphan>, Vec<String>), Error> {
        let prefix = format!("{}-", self.pipeline.name);
        // The model's resources by name and, those that exist, by live id too: a listed name can
        // differ from the model's (Redshift lower-cases it, SageMaker adds a version).
        let modelled: HashSet<(&str, String)> = self
            .pipeline
            .resources
            .iter()
            .flat_map(|(id, r)| {
                let found = live.get(id).map(|l| (r.cfn_type, l.handle.physical_id.clone()));
                std::iter::once((r.cfn_type, self.desired(id, handles).name)).chain(found)
            })
            .collect();
        let used: BTreeSet<&str> = self.pipeline.resources.values().map(|r| family(r.cfn_type)).collect();
        let (looked, mut unread) = self.families(&used).await?;
        // One listing per type, all at once: a plan's wall time is the slowest listing, not their sum.
        let listed = providers::discovered()
            .filter(|entry| entry.discovery == Discovery::Named && looked.contains(family(entry.cfn_type)))
            .map(|entry| entry.cfn_type);
        let (prefix, modelled) = (&prefix, &modelled);
        let found = futures::future::join_all(listed.map(|resource_type| async move {
            (resource_type, self.leftovers_of(resource_type, prefix, modelled).await)
        }))
        .await;
        let mut orphans = Vec::new();
        for (resource_type, result) in found {
            match result {
                Ok(found) => orphans.extend(found),
                // Only a plan needs no permission on a service it does not use.
                Err(Error::Read { error, .. }) if error.is_access_denied() && !used.contains(family(resource_type)) => {
                    unread.push(format!("{resource_type} leftovers of this pipeline were not looked for: {error}"))
                }
                Err(e) => return Err(e),
            }
        }
        let mut children = self.stray_children(live, &orphans, modelled).await?;
        children.extend(orphans);
        Ok((children, unread))
    }

    /// The service families to look for leftovers in: those of the model, IAM (which the tagging
    /// API does not cover), and those the Resource Groups Tagging API finds resources of tagged
    /// `pipe:pipeline` with this pipeline's name in. When the tagging API refuses, only the
    /// first two, and why is returned.
    async fn families(&self, used: &BTreeSet<&'static str>) -> Result<(BTreeSet<&'static str>, Vec<String>), Error> {
        let mut families = used.clone();
        families.insert(family("AWS::IAM::Role"));
        let tagged = tagged_arns(&self.aws, &[("pipe:pipeline", &self.pipeline.name)], None).await;
        match tagged {
            Ok(arns) => {
                families.extend(arns.iter().filter_map(|arn: &String| arn_family(arn)));
                Ok((families, Vec::new()))
            }
            Err(error) if error.is_access_denied() => Ok((
                families,
                vec![format!("leftovers were looked for only among the services this pipeline uses: {error}")],
            )),
            Err(error) => Err(error.into()),
        }
    }

    /// The resources of `resource_type` named with `prefix`, tagged for this pipeline, that the
    /// model does not have.
    async fn leftovers_of(
        &self,
        resource_type: &'static str,
        prefix: &str,
        modelled: &HashSet<(&str, String)>,
    ) -> Result<Vec<Orphan>, Error> {
        let provider = providers::for_type(resource_type).expect("discovered types have providers");
        let read_error = |error| Error::Read {
            resource: format!("{resource_type} resources named {prefix}*"),
            resource_type: resource_type.to_string(),
            error,
        };
        let mut orphans = Vec::new();
        let names = provider.names(&self.aws, prefix).await.map_err(read_error)?;
        for name in names.into_iter().filter(|n| !modelled.contains(&(resource_type, n.clone()))) {
            let probe = Desired { logical_id: name.clone(), resource_type, name: name.clone(), properties: Map::new() };
            let Some(live) = provider.read(&self.aws, &probe).await.map_err(read_error)? else { continue };
            if modelled.contains(&(resource_type, live.handle.physical_id.clone())) {
                continue;
            }
            let tags = provider.owner_tags(&self.aws, &live).await.map_err(read_error)?;
            let tag = |key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            if tag("pipe:pipeline").as_deref() == Some(self.pipeline.name.as_str()) {
                let component = tag("pipe:component").unwrap_or_default();
                orphans.push(Orphan { resource_type, component, live });
            }
        }
        Ok(orphans)
    }

    /// The children (`Discovery::Child`) of the model's resources and of leftovers that the
    /// model does not have; each is of its parent's component.
    async fn stray_children(
        &self,
        live: &HashMap<String, Live>,
        orphans: &[Orphan],
        modelled: &HashSet<(&str, String)>,
    ) -> Result<Vec<Orphan>, Error> {
        let mut strays = Vec::new();
        let children = providers::discovered().filter_map(|entry| match entry.discovery {
            Discovery::Child(parent) => Some((entry.cfn_type, parent, entry.provider)),
            _ => None,
        });
        for (resource_type, parent_type, provider) in children {
            let kept = self.pipeline.resources.iter().filter(|(_, r)| r.cfn_type == parent_type);
            let kept = kept.filter_map(|(id, r)| Some((&r.component, live.get(id)?)));
            let left = orphans.iter().filter(|o| o.resource_type == parent_type).map(|o| (&o.component, &o.live));
            for (component, parent) in kept.chain(left) {
                let children = provider.children(&self.aws, parent).await.map_err(|error| Error::Read {
                    resource: format!("{resource_type} resources of {}", parent.handle.physical_id),
                    resource_type: resource_type.to_string(),
                    error,
                })?;
                strays.extend(
                    children
                        .into_iter()
                        .filter(|child| !modelled.contains(&(resource_type, child.handle.physical_id.clone())))
                        .map(|live| Orphan { resource_type, component: component.clone(), live }),
                );
            }
        }
        Ok(strays)
    }
}

/// The ARNs the Resource Groups Tagging API finds carrying every one of `tags`, of `resource_type`
/// (`kms:key`) or of any type.
pub(crate) async fn tagged_arns(
    aws: &Clients,
    tags: &[(&str, &str)],
    resource_type: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let filters: Vec<TagFilter> = tags.iter().map(|(k, v)| TagFilter::builder().key(*k).values(*v).build()).collect();
    list_all(|token| {
        let filters = filters.clone();
        async move {
            let page = aws
                .tagging
                .get_resources()
                .set_tag_filters(Some(filters))
                .set_resource_type_filters(resource_type.map(|t| vec![t.to_string()]))
                .set_pagination_token(token)
                .send()
                .await
                .map_err(api("GetResources"))?;
            let arns = page.resource_tag_mapping_list().iter().filter_map(|m| m.resource_arn()).map(str::to_string);
            Ok((arns.collect(), page.pagination_token().filter(|t| !t.is_empty()).map(str::to_string)))
        }
    })
    .await
}

/// The service family a type belongs to, as leftovers are looked for: the service's part of the
/// type name, with Redshift Serverless under Redshift (one warehouse moves between them).
fn family(resource_type: &str) -> &'static str {
    let service = resource_type.split("::").nth(1).unwrap_or_default();
    FAMILIES
        .iter()
        .find(|(_, f)| *f == service || (service == "RedshiftServerless" && *f == "Redshift"))
        .map_or("", |(_, f)| f)
}

/// ARN service names and the family their resources belong to.
const FAMILIES: &[(&str, &str)] = &[
    ("cloudwatch", "CloudWatch"),
    ("kinesis", "Kinesis"),
    ("firehose", "KinesisFirehose"),
    ("kinesisanalytics", "KinesisAnalyticsV2"),
    ("lambda", "Lambda"),
    ("glue", "Glue"),
    ("elasticmapreduce", "EMR"),
    ("iam", "IAM"),
    ("sagemaker", "SageMaker"),
    ("es", "OpenSearchService"),
    ("redshift", "Redshift"),
    ("redshift-serverless", "Redshift"),
    ("secretsmanager", "SecretsManager"),
    ("kafka", "MSK"),
    ("logs", "Logs"),
    ("sns", "SNS"),
    ("dynamodb", "DynamoDB"),
    ("s3", "S3"),
    ("kms", "KMS"),
];

/// The family of the resource an ARN names (`arn:aws:kinesis:...`), when pipe makes its kind.
fn arn_family(arn: &str) -> Option<&'static str> {
    let service = arn.split(':').nth(2)?;
    FAMILIES.iter().find(|(s, _)| *s == service).map(|(_, f)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_discovered_type_has_a_family_and_tagged_arns_name_theirs() {
        for entry in providers::discovered() {
            assert_ne!(family(entry.cfn_type), "", "{}", entry.cfn_type);
        }
        assert_eq!(family("AWS::RedshiftServerless::Namespace"), "Redshift");
        assert_eq!(arn_family("arn:aws:redshift-serverless:eu-west-1:1:namespace/abc"), Some("Redshift"));
        assert_eq!(arn_family("arn:aws:es:eu-west-1:1:domain/kt-dashboards"), Some("OpenSearchService"));
        assert_eq!(arn_family("arn:aws:s3:::io-failures"), Some("S3"));
        assert_eq!(arn_family("arn:aws:ec2:eu-west-1:1:vpc/vpc-1"), None);
    }
}
