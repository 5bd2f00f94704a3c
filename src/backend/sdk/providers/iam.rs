//! IAM: `AWS::IAM::Role` (trust policy, inline policies, tags), `AWS::IAM::ManagedPolicy` and
//! `AWS::IAM::InstanceProfile`.

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api, tolerate};
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, adopt, converge, converge_tags, found, list_all, tag_list, touched,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

pub struct Role;

#[async_trait]
impl Provider for Role {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|marker| async move {
            let page = aws.iam.list_roles().set_marker(marker).send().await.map_err(api("ListRoles"))?;
            let names = page.roles().iter().map(|r| r.role_name().to_string()).collect();
            Ok((names, page.marker().filter(|_| page.is_truncated()).map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let name = &desired.name;
        let Some(role) =
            found(aws.iam.get_role().role_name(name).send().await.map_err(api("GetRole")).map(|out| out.role), |e| {
                e.is("NoSuchEntity")
            })?
        else {
            return Ok(None);
        };
        let Some(role) = role else { return Ok(None) };
        let mut policies = Vec::new();
        let names = aws.iam.list_role_policies().role_name(name).send().await.map_err(api("ListRolePolicies"))?;
        for policy in names.policy_names() {
            let got = aws
                .iam
                .get_role_policy()
                .role_name(name)
                .policy_name(policy)
                .send()
                .await
                .map_err(api("GetRolePolicy"))?;
            policies.push(json!({ "PolicyName": policy, "PolicyDocument": document(got.policy_document()) }));
        }
        let tags = aws.iam.list_role_tags().role_name(name).send().await.map_err(api("ListRoleTags"))?;
        let mut properties = Map::new();
        properties
            .insert("AssumeRolePolicyDocument".into(), document(role.assume_role_policy_document().unwrap_or("{}")));
        properties.insert("Policies".into(), Value::Array(policies));
        if let Some(description) = role.description().filter(|d| !d.is_empty()) {
            properties.insert("Description".into(), json!(description));
        }
        properties
            .insert("Tags".into(), tag_list(tags.tags().iter().map(|t| (t.key().to_string(), t.value().to_string()))));
        if desired.get("ManagedPolicyArns").is_some() {
            let attached = aws
                .iam
                .list_attached_role_policies()
                .role_name(name)
                .send()
                .await
                .map_err(api("ListAttachedRolePolicies"))?;
            let arns: Vec<&str> = attached.attached_policies().iter().filter_map(|p| p.policy_arn()).collect();
            properties.insert("ManagedPolicyArns".into(), json!(arns));
        }
        let handle = Handle {
            physical_id: role.role_name().to_string(),
            attributes: Map::from_iter([
                ("Arn".to_string(), json!(role.arn())),
                ("RoleId".to_string(), json!(role.role_id())),
            ]),
        };
        Ok(Some(Live { handle, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let trust = desired.get("AssumeRolePolicyDocument").map(Value::to_string).unwrap_or_default();
        let created = aws
            .iam
            .create_role()
            .role_name(&desired.name)
            .assume_role_policy_document(trust)
            .set_description(desired.str("Description").map(str::to_string))
            .set_tags(Some(tags(desired)))
            .send()
            .await
            .map_err(api("CreateRole"));
        adopt(self, aws, desired, created, &["EntityAlreadyExists"]).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        if touched(changes, "AssumeRolePolicyDocument") {
            aws.iam
                .update_assume_role_policy()
                .role_name(name)
                .policy_document(desired.get("AssumeRolePolicyDocument").map(Value::to_string).unwrap_or_default())
                .send()
                .await
                .map_err(api("UpdateAssumeRolePolicy"))?;
        }
        if touched(changes, "Description") {
            aws.iam
                .update_role()
                .role_name(name)
                .description(desired.str("Description").unwrap_or_default())
                .send()
                .await
                .map_err(api("UpdateRole"))?;
        }
        let wanted = desired.get("Policies").and_then(Value::as_array).cloned().unwrap_or_default();
        let current = live.properties.get("Policies").and_then(Value::as_array).cloned().unwrap_or_default();
        for policy in wanted.iter().filter(|p| !current.contains(p)) {
            aws.iam
                .put_role_policy()
                .role_name(name)
                .policy_name(policy["PolicyName"].as_str().unwrap_or("pipe"))
                .policy_document(policy["PolicyDocument"].to_string())
                .send()
                .await
                .map_err(api("PutRolePolicy"))?;
        }
        for policy in current.iter().filter(|p| !wanted.iter().any(|w| w["PolicyName"] == p["PolicyName"])) {
            aws.iam
                .delete_role_policy()
                .role_name(name)
                .policy_name(policy["PolicyName"].as_str().unwrap_or_default())
                .send()
                .await
                .map_err(api("DeleteRolePolicy"))?;
        }
        let wanted_arns = strings(desired.get("ManagedPolicyArns"));
        let current_arns = strings(live.properties.get("ManagedPolicyArns"));
        for arn in wanted_arns.iter().filter(|a| !current_arns.contains(a)) {
            aws.iam
                .attach_role_policy()
                .role_name(name)
                .policy_arn(arn)
                .send()
                .await
                .map_err(api("AttachRolePolicy"))?;
        }
        if desired.get("ManagedPolicyArns").is_some() {
            for arn in current_arns.iter().filter(|a| !wanted_arns.contains(a)) {
                aws.iam
                    .detach_role_policy()
                    .role_name(name)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map_err(api("DetachRolePolicy"))?;
            }
        }
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagRole", |keys| aws.iam.untag_role().role_name(name).set_tag_keys(Some(keys)).send()),
            ("TagRole", |pairs| aws.iam.tag_role().role_name(name).set_tags(Some(iam_tags(pairs))).send()),
        )
        .await?;
        self.read(aws, desired).await?.ok_or_else(|| ApiError::new("GetRole", format!("role {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        // IAM refuses to delete a role that still has policies or instance profiles.
        let inline = aws.iam.list_role_policies().role_name(name).send().await.map_err(api("ListRolePolicies"))?;
        for policy in inline.policy_names() {
            aws.iam
                .delete_role_policy()
                .role_name(name)
                .policy_name(policy)
                .send()
                .await
                .map_err(api("DeleteRolePolicy"))?;
        }
        let attached = aws
            .iam
            .list_attached_role_policies()
            .role_name(name)
            .send()
            .await
            .map_err(api("ListAttachedRolePolicies"))?;
        for policy in attached.attached_policies().iter().filter_map(|p| p.policy_arn()) {
            aws.iam
                .detach_role_policy()
                .role_name(name)
                .policy_arn(policy)
                .send()
                .await
                .map_err(api("DetachRolePolicy"))?;
        }
        let profiles = aws
            .iam
            .list_instance_profiles_for_role()
            .role_name(name)
            .send()
            .await
            .map_err(api("ListInstanceProfilesForRole"))?;
        for profile in profiles.instance_profiles() {
            aws.iam
                .remove_role_from_instance_profile()
                .role_name(name)
                .instance_profile_name(profile.instance_profile_name())
                .send()
                .await
                .map_err(api("RemoveRoleFromInstanceProfile"))?;
        }
        tolerate(aws.iam.delete_role().role_name(name).send().await.map_err(api("DeleteRole")), &["NoSuchEntity"])
    }
}

pub struct ManagedPolicy;

impl ManagedPolicy {
    fn arn(aws: &Clients, name: &str) -> String {
        format!("arn:{}:iam::{}:policy/{name}", aws.account.partition, aws.account.id)
    }
}

#[async_trait]
impl Provider for ManagedPolicy {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|marker| async move {
            let page = aws
                .iam
                .list_policies()
                .scope(aws_sdk_iam::types::PolicyScopeType::Local)
                .set_marker(marker)
                .send()
                .await
                .map_err(api("ListPolicies"))?;
            let names = page.policies().iter().filter_map(|p| p.policy_name()).map(str::to_string).collect();
            Ok((names, page.marker().filter(|_| page.is_truncated()).map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let arn = Self::arn(aws, &desired.name);
        let Some(policy) = found(
            aws.iam.get_policy().policy_arn(&arn).send().await.map_err(api("GetPolicy")).map(|out| out.policy),
            |e| e.is("NoSuchEntity"),
        )?
        else {
            return Ok(None);
        };
        let Some(policy) = policy else { return Ok(None) };
        let version = aws
            .iam
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(policy.default_version_id().unwrap_or("v1"))
            .send()
            .await
            .map_err(api("GetPolicyVersion"))?;
        let text = version.policy_version().and_then(|v| v.document()).unwrap_or("{}");
        let tags = aws.iam.list_policy_tags().policy_arn(&arn).send().await.map_err(api("ListPolicyTags"))?;
        let mut properties = Map::new();
        properties.insert("ManagedPolicyName".into(), json!(policy.policy_name()));
        if let Some(description) = policy.description() {
            properties.insert("Description".into(), json!(description));
        }
        properties.insert("PolicyDocument".into(), document(text));
        if !tags.tags().is_empty() || desired.get("Tags").is_some() {
            properties.insert(
                "Tags".into(),
                tag_list(tags.tags().iter().map(|t| (t.key().to_string(), t.value().to_string()))),
            );
        }
        let handle =
            Handle { physical_id: arn.clone(), attributes: Map::from_iter([("PolicyArn".to_string(), json!(arn))]) };
        Ok(Some(Live { handle, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let created = aws
            .iam
            .create_policy()
            .policy_name(&desired.name)
            .set_description(desired.str("Description").map(str::to_string))
            .policy_document(desired.get("PolicyDocument").map(Value::to_string).unwrap_or_default())
            .set_tags(Some(tags(desired)))
            .send()
            .await
            .map_err(api("CreatePolicy"));
        match created {
            Err(e) if e.is("EntityAlreadyExists") => {
                let live = self.read(aws, desired).await?.unwrap_or_default();
                converge(self, aws, desired, &live).await
            }
            other => {
                other?;
                self.read(aws, desired).await?.ok_or_else(|| ApiError::new("GetPolicy", "the new policy is not found"))
            }
        }
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let arn = &live.handle.physical_id;
        if touched(changes, "PolicyDocument") {
            // A policy keeps at most five versions: make room by dropping the oldest spare one.
            let versions =
                aws.iam.list_policy_versions().policy_arn(arn).send().await.map_err(api("ListPolicyVersions"))?;
            let spare: Vec<_> = versions.versions().iter().filter(|v| !v.is_default_version()).collect();
            if versions.versions().len() >= 5
                && let Some(oldest) = spare.iter().min_by_key(|v| v.create_date().map(|d| d.secs()))
            {
                aws.iam
                    .delete_policy_version()
                    .policy_arn(arn)
                    .version_id(oldest.version_id().unwrap_or_default())
                    .send()
                    .await
                    .map_err(api("DeletePolicyVersion"))?;
            }
            aws.iam
                .create_policy_version()
                .policy_arn(arn)
                .policy_document(desired.get("PolicyDocument").map(Value::to_string).unwrap_or_default())
                .set_as_default(true)
                .send()
                .await
                .map_err(api("CreatePolicyVersion"))?;
        }
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagPolicy", |keys| aws.iam.untag_policy().policy_arn(arn).set_tag_keys(Some(keys)).send()),
            ("TagPolicy", |pairs| aws.iam.tag_policy().policy_arn(arn).set_tags(Some(iam_tags(pairs))).send()),
        )
        .await?;
        self.read(aws, desired).await?.ok_or_else(|| ApiError::new("GetPolicy", format!("policy {arn} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let arn = &live.handle.physical_id;
        let versions =
            aws.iam.list_policy_versions().policy_arn(arn).send().await.map_err(api("ListPolicyVersions"))?;
        for version in versions.versions().iter().filter(|v| !v.is_default_version()) {
            aws.iam
                .delete_policy_version()
                .policy_arn(arn)
                .version_id(version.version_id().unwrap_or_default())
                .send()
                .await
                .map_err(api("DeletePolicyVersion"))?;
        }
        // Producers attach this policy to their own roles; detach it so the delete can go on.
        let entities =
            aws.iam.list_entities_for_policy().policy_arn(arn).send().await.map_err(api("ListEntitiesForPolicy"))?;
        for role in entities.policy_roles().iter().filter_map(|r| r.role_name()) {
            aws.iam
                .detach_role_policy()
                .role_name(role)
                .policy_arn(arn)
                .send()
                .await
                .map_err(api("DetachRolePolicy"))?;
        }
        for user in entities.policy_users().iter().filter_map(|u| u.user_name()) {
            aws.iam
                .detach_user_policy()
                .user_name(user)
                .policy_arn(arn)
                .send()
                .await
                .map_err(api("DetachUserPolicy"))?;
        }
        for group in entities.policy_groups().iter().filter_map(|g| g.group_name()) {
            aws.iam
                .detach_group_policy()
                .group_name(group)
                .policy_arn(arn)
                .send()
                .await
                .map_err(api("DetachGroupPolicy"))?;
        }
        tolerate(aws.iam.delete_policy().policy_arn(arn).send().await.map_err(api("DeletePolicy")), &["NoSuchEntity"])
    }
}

pub struct InstanceProfile;

#[async_trait]
impl Provider for InstanceProfile {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|marker| async move {
            let page = aws
                .iam
                .list_instance_profiles()
                .set_marker(marker)
                .send()
                .await
                .map_err(api("ListInstanceProfiles"))?;
            let names = page.instance_profiles().iter().map(|p| p.instance_profile_name().to_string()).collect();
            Ok((names, page.marker().filter(|_| page.is_truncated()).map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    /// CloudFormation's instance profile has no `Tags`: the role it holds (at most one) says
    /// whose it is.
    async fn owner_tags(&self, aws: &Clients, live: &Live) -> Result<Vec<(String, String)>, ApiError> {
        let Some(role) = strings(live.properties.get("Roles")).into_iter().next() else { return Ok(Vec::new()) };
        match aws.iam.get_role().role_name(role).send().await.map_err(api("GetRole")) {
            Ok(out) => Ok(out.role.iter().flat_map(|r| r.tags()).map(|t| (t.key().into(), t.value().into())).collect()),
            Err(e) if e.is("NoSuchEntity") => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        let name = &desired.name;
        let Some(profile) = found(
            aws.iam
                .get_instance_profile()
                .instance_profile_name(name)
                .send()
                .await
                .map_err(api("GetInstanceProfile"))
                .map(|out| out.instance_profile),
            |e| e.is("NoSuchEntity"),
        )?
        else {
            return Ok(None);
        };
        let Some(profile) = profile else { return Ok(None) };
        let mut properties = Map::new();
        if desired.get("InstanceProfileName").is_some() {
            properties.insert("InstanceProfileName".into(), json!(profile.instance_profile_name()));
        }
        if desired.get("Path").is_some() || profile.path() != "/" {
            properties.insert("Path".into(), json!(profile.path()));
        }
        let roles: Vec<&str> = profile.roles().iter().map(|r| r.role_name()).collect();
        properties.insert("Roles".into(), json!(roles));
        // GetInstanceProfile carries the profile's tags (at most 50, all there is).
        if !profile.tags().is_empty() || desired.get("Tags").is_some() {
            properties.insert(
                "Tags".into(),
                tag_list(profile.tags().iter().map(|t| (t.key().to_string(), t.value().to_string()))),
            );
        }
        let handle = Handle {
            physical_id: profile.instance_profile_name().to_string(),
            attributes: Map::from_iter([("Arn".to_string(), json!(profile.arn()))]),
        };
        Ok(Some(Live { handle, properties }))
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let created = aws
            .iam
            .create_instance_profile()
            .instance_profile_name(&desired.name)
            .set_path(desired.str("Path").map(str::to_string))
            .set_tags(Some(tags(desired)))
            .send()
            .await
            .map_err(api("CreateInstanceProfile"));
        adopt(self, aws, desired, created, &["EntityAlreadyExists"]).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        _changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        let wanted = strings(desired.get("Roles"));
        let current = strings(live.properties.get("Roles"));
        // A profile holds one role at most: the old one goes before the new one comes.
        for role in current.iter().filter(|r| !wanted.contains(r)) {
            aws.iam
                .remove_role_from_instance_profile()
                .instance_profile_name(name)
                .role_name(role)
                .send()
                .await
                .map_err(api("RemoveRoleFromInstanceProfile"))?;
        }
        for role in wanted.iter().filter(|r| !current.contains(r)) {
            aws.iam
                .add_role_to_instance_profile()
                .instance_profile_name(name)
                .role_name(role)
                .send()
                .await
                .map_err(api("AddRoleToInstanceProfile"))?;
        }
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagInstanceProfile", |keys| {
                aws.iam.untag_instance_profile().instance_profile_name(name).set_tag_keys(Some(keys)).send()
            }),
            ("TagInstanceProfile", |pairs| {
                aws.iam.tag_instance_profile().instance_profile_name(name).set_tags(Some(iam_tags(pairs))).send()
            }),
        )
        .await?;
        self.read(aws, desired)
            .await?
            .ok_or_else(|| ApiError::new("GetInstanceProfile", format!("instance profile {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        // IAM refuses to delete a profile that still holds a role.
        let profile = match aws
            .iam
            .get_instance_profile()
            .instance_profile_name(name)
            .send()
            .await
            .map_err(api("GetInstanceProfile"))
        {
            Ok(out) => out.instance_profile,
            Err(e) if e.is("NoSuchEntity") => return Ok(()),
            Err(e) => return Err(e),
        };
        for role in profile.iter().flat_map(|p| p.roles()) {
            tolerate(
                aws.iam
                    .remove_role_from_instance_profile()
                    .instance_profile_name(name)
                    .role_name(role.role_name())
                    .send()
                    .await
                    .map_err(api("RemoveRoleFromInstanceProfile")),
                &["NoSuchEntity"],
            )?;
        }
        tolerate(
            aws.iam
                .delete_instance_profile()
                .instance_profile_name(name)
                .send()
                .await
                .map_err(api("DeleteInstanceProfile")),
            &["NoSuchEntity"],
        )
    }
}

/// IAM returns policy documents URL-encoded.
fn document(encoded: &str) -> Value {
    let text = percent_encoding::percent_decode_str(encoded).decode_utf8_lossy();
    serde_json::from_str(&text).unwrap_or(Value::String(text.into_owned()))
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn tags(desired: &Desired) -> Vec<aws_sdk_iam::types::Tag> {
    iam_tags(desired.tags())
}

fn iam_tags(pairs: Vec<(String, String)>) -> Vec<aws_sdk_iam::types::Tag> {
    pairs
        .into_iter()
        .map(|(k, v)| aws_sdk_iam::types::Tag::builder().key(k).value(v).build().expect("key and value set"))
        .collect()
}
