//! Glue: `AWS::Glue::Database`, `AWS::Glue::Table`, `AWS::Glue::Connection`,
//! `AWS::Glue::SecurityConfiguration` and `AWS::Glue::Job`.
//!
//! Databases, tables and connections are named inside their input object (`DatabaseInput.Name`,
//! `TableInput.Name`, `ConnectionInput.Name`), which the engine takes as their `Desired.name`.
//! Jobs are only defined here: starting a job run is the engine's separate step.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_glue::types::{
    CloudWatchEncryption, CloudWatchEncryptionMode, Column, ConnectionInput, ConnectionPropertyKey, ConnectionType,
    ConnectionsList, DatabaseInput, EncryptionConfiguration, JobBookmarksEncryption, JobBookmarksEncryptionMode,
    JobCommand, JobUpdate, PhysicalConnectionRequirements, S3Encryption, S3EncryptionMode, SerDeInfo,
    StorageDescriptor, TableInput, WorkerType,
};
use serde_json::{Map, Value, json};

use crate::backend::aws::{ApiError, api};
use crate::backend::sdk::provider::{
    ALL_TAGS, Clients, Desired, Live, Provider, adopt, converge, converge_tags, found, list_all, touched,
};
use crate::backend::sdk::resolve::Handle;
use crate::plan::Change;

fn not_found(e: &ApiError) -> bool {
    e.is("EntityNotFoundException")
}

/// What Glue answers a create whose resource is already there.
const EXISTS: &[&str] = &["AlreadyExistsException", "IdempotentParameterMismatchException"];

fn exists(e: &ApiError) -> bool {
    EXISTS.iter().any(|code| e.is(code))
}

/// A builder refused what pipe gave it (a required field missing from the template).
fn built(operation: &'static str) -> impl FnOnce(aws_sdk_glue::error::BuildError) -> ApiError {
    move |e| ApiError::new(operation, e.to_string())
}

/// The catalog the template names (`Ref AWS::AccountId`), else the account's.
fn catalog(aws: &Clients, desired: &Desired) -> String {
    desired.str("CatalogId").map_or_else(|| aws.account.id.clone(), str::to_string)
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A JSON object of strings (Glue parameters, job arguments) as a map; other values as JSON text.
fn string_map(value: Option<&Value>) -> Option<HashMap<String, String>> {
    let object = value?.as_object()?;
    Some(object.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect())
}

/// A map as a JSON object with sorted keys (so that equal maps read back equal), or `None` when empty.
fn sorted(map: Option<&HashMap<String, String>>) -> Option<Value> {
    let map = map.filter(|m| !m.is_empty())?;
    Some(json!(map.iter().collect::<BTreeMap<_, _>>()))
}

fn put(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(key.into(), value);
    }
}

// ---------------------------------------------------------------------------------------------
// Database

pub struct Database;

impl Database {
    fn input(desired: &Desired) -> Result<DatabaseInput, ApiError> {
        let input = desired.get("DatabaseInput").cloned().unwrap_or(Value::Null);
        DatabaseInput::builder()
            .set_name(text(&input, "Name"))
            .set_description(text(&input, "Description"))
            .set_location_uri(text(&input, "LocationUri"))
            .set_parameters(string_map(input.get("Parameters")))
            .build()
            .map_err(built("DatabaseInput"))
    }

    async fn get(aws: &Clients, catalog: &str, name: &str) -> Result<Option<Live>, ApiError> {
        let got = aws.glue.get_database().catalog_id(catalog).name(name).send().await.map_err(api("GetDatabase"));
        let Some(got) = found(got, not_found)? else { return Ok(None) };
        let Some(database) = got.database() else { return Ok(None) };
        let mut input = Map::new();
        input.insert("Name".into(), json!(database.name()));
        put(&mut input, "Description", database.description().filter(|d| !d.is_empty()).map(|d| json!(d)));
        put(&mut input, "LocationUri", database.location_uri().filter(|l| !l.is_empty()).map(|l| json!(l)));
        put(&mut input, "Parameters", sorted(database.parameters()));
        let properties = Map::from_iter([
            ("CatalogId".to_string(), json!(database.catalog_id().unwrap_or(catalog))),
            ("DatabaseInput".to_string(), Value::Object(input)),
        ]);
        let handle = Handle { physical_id: database.name().to_string(), attributes: Map::new() };
        Ok(Some(Live { handle, properties }))
    }
}

#[async_trait]
impl Provider for Database {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Self::get(aws, &catalog(aws, desired), &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let catalog = catalog(aws, desired);
        let created = aws
            .glue
            .create_database()
            .catalog_id(&catalog)
            .database_input(Self::input(desired)?)
            .send()
            .await
            .map_err(api("CreateDatabase"));
        adopt(self, aws, desired, created, EXISTS).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let catalog = catalog(aws, desired);
        let name = &live.handle.physical_id;
        if touched(changes, "DatabaseInput") {
            aws.glue
                .update_database()
                .catalog_id(&catalog)
                .name(name)
                .database_input(Self::input(desired)?)
                .send()
                .await
                .map_err(api("UpdateDatabase"))?;
        }
        Self::get(aws, &catalog, &desired.name)
            .await?
            .ok_or_else(|| ApiError::new("GetDatabase", format!("database {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let catalog = live.properties.get("CatalogId").and_then(Value::as_str).unwrap_or(&aws.account.id);
        let deleted = aws.glue.delete_database().catalog_id(catalog).name(&live.handle.physical_id).send().await;
        match deleted.map_err(api("DeleteDatabase")) {
            Err(e) if !not_found(&e) => Err(e),
            _ => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Table

pub struct Table;

fn columns(value: Option<&Value>) -> Result<Option<Vec<Column>>, ApiError> {
    let Some(items) = value.and_then(Value::as_array) else { return Ok(None) };
    items
        .iter()
        .map(|c| {
            Column::builder()
                .set_name(text(c, "Name"))
                .set_type(text(c, "Type"))
                .set_comment(text(c, "Comment"))
                .set_parameters(string_map(c.get("Parameters")))
                .build()
                .map_err(built("Column"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn columns_json(columns: &[Column]) -> Value {
    Value::Array(
        columns
            .iter()
            .map(|c| {
                let mut column = Map::new();
                column.insert("Name".into(), json!(c.name()));
                put(&mut column, "Type", c.r#type().map(|t| json!(t)));
                put(&mut column, "Comment", c.comment().filter(|t| !t.is_empty()).map(|t| json!(t)));
                put(&mut column, "Parameters", sorted(c.parameters()));
                Value::Object(column)
            })
            .collect(),
    )
}

impl Table {
    fn input(desired: &Desired) -> Result<TableInput, ApiError> {
        let input = desired.get("TableInput").cloned().unwrap_or(Value::Null);
        let storage = match input.get("StorageDescriptor") {
            Some(s) => {
                let serde = s.get("SerdeInfo").map(|d| {
                    SerDeInfo::builder()
                        .set_name(text(d, "Name"))
                        .set_serialization_library(text(d, "SerializationLibrary"))
                        .set_parameters(string_map(d.get("Parameters")))
                        .build()
                });
                Some(
                    StorageDescriptor::builder()
                        .set_columns(columns(s.get("Columns"))?)
                        .set_location(text(s, "Location"))
                        .set_input_format(text(s, "InputFormat"))
                        .set_output_format(text(s, "OutputFormat"))
                        .set_compressed(s.get("Compressed").and_then(Value::as_bool))
                        .set_number_of_buckets(
                            s.get("NumberOfBuckets").and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok()),
                        )
                        .set_serde_info(serde)
                        .set_parameters(string_map(s.get("Parameters")))
                        .set_stored_as_sub_directories(s.get("StoredAsSubDirectories").and_then(Value::as_bool))
                        .build(),
                )
            }
            None => None,
        };
        TableInput::builder()
            .set_name(text(&input, "Name"))
            .set_description(text(&input, "Description"))
            .set_owner(text(&input, "Owner"))
            .set_table_type(text(&input, "TableType"))
            .set_parameters(string_map(input.get("Parameters")))
            .set_partition_keys(columns(input.get("PartitionKeys"))?)
            .set_storage_descriptor(storage)
            .build()
            .map_err(built("TableInput"))
    }

    async fn get(aws: &Clients, catalog: &str, database: &str, name: &str) -> Result<Option<Live>, ApiError> {
        let got = aws.glue.get_table().catalog_id(catalog).database_name(database).name(name).send().await;
        let Some(got) = found(got.map_err(api("GetTable")), not_found)? else { return Ok(None) };
        let Some(table) = got.table() else { return Ok(None) };
        let mut input = Map::new();
        input.insert("Name".into(), json!(table.name()));
        put(&mut input, "Description", table.description().filter(|d| !d.is_empty()).map(|d| json!(d)));
        put(&mut input, "Owner", table.owner().map(|o| json!(o)));
        put(&mut input, "TableType", table.table_type().map(|t| json!(t)));
        put(&mut input, "Parameters", sorted(table.parameters()));
        if !table.partition_keys().is_empty() {
            input.insert("PartitionKeys".into(), columns_json(table.partition_keys()));
        }
        if let Some(s) = table.storage_descriptor() {
            let mut storage = Map::new();
            storage.insert("Columns".into(), columns_json(s.columns()));
            put(&mut storage, "Location", s.location().filter(|l| !l.is_empty()).map(|l| json!(l)));
            put(&mut storage, "InputFormat", s.input_format().map(|f| json!(f)));
            put(&mut storage, "OutputFormat", s.output_format().map(|f| json!(f)));
            // AWS's defaults, which the template leaves out.
            put(&mut storage, "Compressed", s.compressed().then_some(json!(true)));
            put(&mut storage, "NumberOfBuckets", (s.number_of_buckets() > 0).then(|| json!(s.number_of_buckets())));
            put(&mut storage, "StoredAsSubDirectories", s.stored_as_sub_directories().then_some(json!(true)));
            if let Some(d) = s.serde_info() {
                let mut serde = Map::new();
                put(&mut serde, "Name", d.name().map(|n| json!(n)));
                put(&mut serde, "SerializationLibrary", d.serialization_library().map(|l| json!(l)));
                put(&mut serde, "Parameters", sorted(d.parameters()));
                storage.insert("SerdeInfo".into(), Value::Object(serde));
            }
            put(&mut storage, "Parameters", sorted(s.parameters()));
            input.insert("StorageDescriptor".into(), Value::Object(storage));
        }
        let properties = Map::from_iter([
            ("CatalogId".to_string(), json!(table.catalog_id().unwrap_or(catalog))),
            ("DatabaseName".to_string(), json!(table.database_name().unwrap_or(database))),
            ("TableInput".to_string(), Value::Object(input)),
        ]);
        let handle = Handle { physical_id: table.name().to_string(), attributes: Map::new() };
        Ok(Some(Live { handle, properties }))
    }

    fn database(desired: &Desired) -> Result<&str, ApiError> {
        desired
            .str("DatabaseName")
            .ok_or_else(|| ApiError::new("Glue", format!("{} has no DatabaseName", desired.logical_id)))
    }
}

#[async_trait]
impl Provider for Table {
    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Self::get(aws, &catalog(aws, desired), Self::database(desired)?, &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let catalog = catalog(aws, desired);
        let database = Self::database(desired)?;
        let created = aws
            .glue
            .create_table()
            .catalog_id(&catalog)
            .database_name(database)
            .table_input(Self::input(desired)?)
            .send()
            .await
            .map_err(api("CreateTable"));
        adopt(self, aws, desired, created, EXISTS).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        _live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let catalog = catalog(aws, desired);
        let database = Self::database(desired)?;
        let name = &desired.name;
        if touched(changes, "TableInput") {
            aws.glue
                .update_table()
                .catalog_id(&catalog)
                .database_name(database)
                .table_input(Self::input(desired)?)
                .send()
                .await
                .map_err(api("UpdateTable"))?;
        }
        Self::get(aws, &catalog, database, name)
            .await?
            .ok_or_else(|| ApiError::new("GetTable", format!("table {database}.{name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let field = |key: &str| live.properties.get(key).and_then(Value::as_str);
        let catalog = field("CatalogId").unwrap_or(&aws.account.id);
        let Some(database) = field("DatabaseName") else { return Ok(()) };
        let deleted = aws
            .glue
            .delete_table()
            .catalog_id(catalog)
            .database_name(database)
            .name(&live.handle.physical_id)
            .send()
            .await;
        match deleted.map_err(api("DeleteTable")) {
            Err(e) if !not_found(&e) => Err(e),
            _ => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Connection

pub struct Connection;

impl Connection {
    fn input(desired: &Desired) -> Result<ConnectionInput, ApiError> {
        let input = desired.get("ConnectionInput").cloned().unwrap_or(Value::Null);
        let properties: HashMap<ConnectionPropertyKey, String> = string_map(input.get("ConnectionProperties"))
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (ConnectionPropertyKey::from(k.as_str()), v))
            .collect();
        let physical = input.get("PhysicalConnectionRequirements").map(|p| {
            let groups = p
                .get("SecurityGroupIdList")
                .and_then(Value::as_array)
                .map(|g| g.iter().filter_map(Value::as_str).map(str::to_string).collect());
            PhysicalConnectionRequirements::builder()
                .set_subnet_id(text(p, "SubnetId"))
                .set_availability_zone(text(p, "AvailabilityZone"))
                .set_security_group_id_list(groups)
                .build()
        });
        ConnectionInput::builder()
            .set_name(text(&input, "Name"))
            .set_description(text(&input, "Description"))
            .set_connection_type(input.get("ConnectionType").and_then(Value::as_str).map(ConnectionType::from))
            .set_connection_properties(Some(properties))
            .set_physical_connection_requirements(physical)
            .build()
            .map_err(built("ConnectionInput"))
    }

    async fn get(aws: &Clients, catalog: &str, name: &str) -> Result<Option<Live>, ApiError> {
        let got = aws.glue.get_connection().catalog_id(catalog).name(name).hide_password(true).send().await;
        let Some(got) = found(got.map_err(api("GetConnection")), not_found)? else { return Ok(None) };
        let Some(connection) = got.connection() else { return Ok(None) };
        let mut input = Map::new();
        input.insert("Name".into(), json!(connection.name().unwrap_or(name)));
        put(&mut input, "Description", connection.description().filter(|d| !d.is_empty()).map(|d| json!(d)));
        put(&mut input, "ConnectionType", connection.connection_type().map(|t| json!(t.as_str())));
        let properties: Option<HashMap<String, String>> = connection
            .connection_properties()
            .map(|p| p.iter().map(|(k, v)| (k.as_str().to_string(), v.clone())).collect());
        put(&mut input, "ConnectionProperties", sorted(properties.as_ref()));
        if let Some(p) = connection.physical_connection_requirements() {
            let mut physical = Map::new();
            put(&mut physical, "SubnetId", p.subnet_id().map(|s| json!(s)));
            put(&mut physical, "AvailabilityZone", p.availability_zone().map(|z| json!(z)));
            if !p.security_group_id_list().is_empty() {
                physical.insert("SecurityGroupIdList".into(), json!(p.security_group_id_list()));
            }
            input.insert("PhysicalConnectionRequirements".into(), Value::Object(physical));
        }
        let properties = Map::from_iter([
            ("CatalogId".to_string(), json!(catalog)),
            ("ConnectionInput".to_string(), Value::Object(input)),
        ]);
        let handle = Handle { physical_id: name.to_string(), attributes: Map::new() };
        Ok(Some(Live { handle, properties }))
    }
}

#[async_trait]
impl Provider for Connection {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws.glue.get_connections().hide_password(true).set_next_token(token).send().await;
            let page = page.map_err(api("GetConnections"))?;
            let names = page.connection_list().iter().filter_map(|c| c.name()).map(str::to_string).collect();
            Ok((names, page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    /// CloudFormation's connection has no `Tags`: pipe names a job's connection after the job
    /// (model/build/glue.rs), whose tags say whose it is.
    async fn owner_tags(&self, aws: &Clients, live: &Live) -> Result<Vec<(String, String)>, ApiError> {
        Job::tags(aws, &live.handle.physical_id).await
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Self::get(aws, &catalog(aws, desired), &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let catalog = catalog(aws, desired);
        let created = aws
            .glue
            .create_connection()
            .catalog_id(&catalog)
            .connection_input(Self::input(desired)?)
            .send()
            .await
            .map_err(api("CreateConnection"));
        adopt(self, aws, desired, created, EXISTS).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let catalog = catalog(aws, desired);
        let name = &desired.name;
        if touched(changes, "ConnectionInput") {
            aws.glue
                .update_connection()
                .catalog_id(&catalog)
                .name(&live.handle.physical_id)
                .connection_input(Self::input(desired)?)
                .send()
                .await
                .map_err(api("UpdateConnection"))?;
        }
        Self::get(aws, &catalog, name)
            .await?
            .ok_or_else(|| ApiError::new("GetConnection", format!("connection {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let catalog = live.properties.get("CatalogId").and_then(Value::as_str).unwrap_or(&aws.account.id);
        let deleted =
            aws.glue.delete_connection().catalog_id(catalog).connection_name(&live.handle.physical_id).send().await;
        match deleted.map_err(api("DeleteConnection")) {
            Err(e) if !not_found(&e) => Err(e),
            _ => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SecurityConfiguration

pub struct SecurityConfiguration;

impl SecurityConfiguration {
    fn configuration(desired: &Desired) -> EncryptionConfiguration {
        let given = desired.get("EncryptionConfiguration").cloned().unwrap_or(Value::Null);
        let s3 = given.get("S3Encryptions").and_then(Value::as_array).map(|items| {
            items
                .iter()
                .map(|s| {
                    S3Encryption::builder()
                        .set_s3_encryption_mode(
                            s.get("S3EncryptionMode").and_then(Value::as_str).map(S3EncryptionMode::from),
                        )
                        .set_kms_key_arn(text(s, "KmsKeyArn"))
                        .build()
                })
                .collect()
        });
        let logs = given.get("CloudWatchEncryption").map(|c| {
            CloudWatchEncryption::builder()
                .set_cloud_watch_encryption_mode(
                    c.get("CloudWatchEncryptionMode").and_then(Value::as_str).map(CloudWatchEncryptionMode::from),
                )
                .set_kms_key_arn(text(c, "KmsKeyArn"))
                .build()
        });
        let bookmarks = given.get("JobBookmarksEncryption").map(|b| {
            JobBookmarksEncryption::builder()
                .set_job_bookmarks_encryption_mode(
                    b.get("JobBookmarksEncryptionMode").and_then(Value::as_str).map(JobBookmarksEncryptionMode::from),
                )
                .set_kms_key_arn(text(b, "KmsKeyArn"))
                .build()
        });
        EncryptionConfiguration::builder()
            .set_s3_encryption(s3)
            .set_cloud_watch_encryption(logs)
            .set_job_bookmarks_encryption(bookmarks)
            .build()
    }

    async fn get(aws: &Clients, name: &str) -> Result<Option<Live>, ApiError> {
        let got = aws.glue.get_security_configuration().name(name).send().await;
        let Some(got) = found(got.map_err(api("GetSecurityConfiguration")), not_found)? else {
            return Ok(None);
        };
        let Some(configuration) = got.security_configuration() else { return Ok(None) };
        let mut encryption = Map::new();
        if let Some(e) = configuration.encryption_configuration() {
            let with_key = |mut value: Value, key: Option<&str>| {
                if let Some(key) = key {
                    value["KmsKeyArn"] = json!(key);
                }
                value
            };
            if !e.s3_encryption().is_empty() {
                let s3: Vec<Value> = e
                    .s3_encryption()
                    .iter()
                    .map(|s| {
                        with_key(
                            json!({ "S3EncryptionMode": s.s3_encryption_mode().map(|m| m.as_str()) }),
                            s.kms_key_arn(),
                        )
                    })
                    .collect();
                encryption.insert("S3Encryptions".into(), Value::Array(s3));
            }
            if let Some(c) = e.cloud_watch_encryption() {
                let mode = c.cloud_watch_encryption_mode().map(|m| m.as_str());
                encryption.insert(
                    "CloudWatchEncryption".into(),
                    with_key(json!({ "CloudWatchEncryptionMode": mode }), c.kms_key_arn()),
                );
            }
            if let Some(b) = e.job_bookmarks_encryption() {
                let mode = b.job_bookmarks_encryption_mode().map(|m| m.as_str());
                encryption.insert(
                    "JobBookmarksEncryption".into(),
                    with_key(json!({ "JobBookmarksEncryptionMode": mode }), b.kms_key_arn()),
                );
            }
        }
        let properties = Map::from_iter([
            ("Name".to_string(), json!(name)),
            ("EncryptionConfiguration".to_string(), Value::Object(encryption)),
        ]);
        let handle = Handle { physical_id: name.to_string(), attributes: Map::new() };
        Ok(Some(Live { handle, properties }))
    }

    async fn put(aws: &Clients, desired: &Desired) -> Result<(), ApiError> {
        let created = aws
            .glue
            .create_security_configuration()
            .name(&desired.name)
            .encryption_configuration(Self::configuration(desired))
            .send()
            .await
            .map_err(api("CreateSecurityConfiguration"));
        match created {
            Err(e) if exists(&e) => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

#[async_trait]
impl Provider for SecurityConfiguration {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws.glue.get_security_configurations().set_next_token(token).send().await;
            let page = page.map_err(api("GetSecurityConfigurations"))?;
            let names = page.security_configurations().iter().filter_map(|c| c.name()).map(str::to_string).collect();
            Ok((names, page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    /// Glue cannot tag a security configuration: pipe names a job's after the job
    /// (model/build/glue.rs), whose tags say whose it is.
    async fn owner_tags(&self, aws: &Clients, live: &Live) -> Result<Vec<(String, String)>, ApiError> {
        Job::tags(aws, &live.handle.physical_id).await
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Self::get(aws, &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        Self::put(aws, desired).await?;
        let live = Self::get(aws, &desired.name).await?.ok_or_else(|| {
            ApiError::new("GetSecurityConfiguration", format!("{} not found after creating it", desired.name))
        })?;
        converge(self, aws, desired, &live).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        // A security configuration cannot be changed; jobs name it, so it is re-created under its name.
        if touched(changes, "EncryptionConfiguration") {
            self.delete(aws, live).await?;
            Self::put(aws, desired).await?;
        }
        Self::get(aws, &desired.name)
            .await?
            .ok_or_else(|| ApiError::new("GetSecurityConfiguration", format!("{} vanished", desired.name)))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let deleted = aws.glue.delete_security_configuration().name(&live.handle.physical_id).send().await;
        match deleted.map_err(api("DeleteSecurityConfiguration")) {
            Err(e) if !not_found(&e) => Err(e),
            _ => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Job

pub struct Job;

/// The job's definition, as UpdateJob wants it whole: what it leaves out is reset.
struct Definition {
    role: Option<String>,
    command: JobCommand,
    arguments: Option<HashMap<String, String>>,
    connections: Option<ConnectionsList>,
    glue_version: Option<String>,
    worker_type: Option<WorkerType>,
    workers: Option<i32>,
    security: Option<String>,
    description: Option<String>,
    timeout: Option<i32>,
    max_retries: Option<i32>,
}

impl Job {
    fn arn(aws: &Clients, name: &str) -> String {
        format!("arn:{}:glue:{}:{}:job/{name}", aws.account.partition, aws.account.region, aws.account.id)
    }

    /// The tags of the job `name`; none when there is no such job.
    async fn tags(aws: &Clients, name: &str) -> Result<Vec<(String, String)>, ApiError> {
        match aws.glue.get_tags().resource_arn(Self::arn(aws, name)).send().await.map_err(api("GetTags")) {
            Ok(out) => Ok(out.tags().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect()),
            Err(e) if not_found(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn definition(desired: &Desired) -> Definition {
        let command = desired.get("Command").cloned().unwrap_or(Value::Null);
        let connections =
            desired.get("Connections").and_then(|c| c.get("Connections")).and_then(Value::as_array).map(|list| {
                ConnectionsList::builder()
                    .set_connections(Some(list.iter().filter_map(Value::as_str).map(str::to_string).collect()))
                    .build()
            });
        Definition {
            role: desired.str("Role").map(str::to_string),
            command: JobCommand::builder()
                .set_name(text(&command, "Name"))
                .set_script_location(text(&command, "ScriptLocation"))
                .set_python_version(text(&command, "PythonVersion"))
                .set_runtime(text(&command, "Runtime"))
                .build(),
            arguments: string_map(desired.get("DefaultArguments")),
            connections,
            glue_version: desired.str("GlueVersion").map(str::to_string),
            worker_type: desired.str("WorkerType").map(WorkerType::from),
            workers: desired.i32("NumberOfWorkers"),
            security: desired.str("SecurityConfiguration").map(str::to_string),
            description: desired.str("Description").map(str::to_string),
            timeout: desired.i32("Timeout"),
            max_retries: desired.i32("MaxRetries"),
        }
    }

    async fn get(aws: &Clients, name: &str) -> Result<Option<Live>, ApiError> {
        let Some(got) = found(aws.glue.get_job().job_name(name).send().await.map_err(api("GetJob")), not_found)? else {
            return Ok(None);
        };
        let Some(job) = got.job() else { return Ok(None) };
        let mut properties = Map::new();
        properties.insert("Name".into(), json!(name));
        put(&mut properties, "Description", job.description().filter(|d| !d.is_empty()).map(|d| json!(d)));
        put(&mut properties, "Role", job.role().map(|r| json!(r)));
        put(&mut properties, "GlueVersion", job.glue_version().map(|v| json!(v)));
        put(&mut properties, "WorkerType", job.worker_type().map(|w| json!(w.as_str())));
        put(&mut properties, "NumberOfWorkers", job.number_of_workers().map(|n| json!(n)));
        put(&mut properties, "SecurityConfiguration", job.security_configuration().map(|s| json!(s)));
        put(&mut properties, "Timeout", job.timeout().map(|t| json!(t)));
        properties.insert("MaxRetries".into(), json!(job.max_retries()));
        if let Some(c) = job.command() {
            let mut command = Map::new();
            put(&mut command, "Name", c.name().map(|n| json!(n)));
            put(&mut command, "PythonVersion", c.python_version().map(|v| json!(v)));
            put(&mut command, "ScriptLocation", c.script_location().map(|s| json!(s)));
            put(&mut command, "Runtime", c.runtime().map(|r| json!(r)));
            properties.insert("Command".into(), Value::Object(command));
        }
        put(&mut properties, "DefaultArguments", sorted(job.default_arguments()));
        if let Some(c) = job.connections().filter(|c| !c.connections().is_empty()) {
            properties.insert("Connections".into(), json!({ "Connections": c.connections() }));
        }
        let arn = Self::arn(aws, name);
        let tags = aws.glue.get_tags().resource_arn(&arn).send().await.map_err(api("GetTags"))?;
        properties.insert("Tags".into(), sorted(tags.tags()).unwrap_or_else(|| json!({})));
        let handle = Handle { physical_id: name.to_string(), attributes: Map::new() };
        Ok(Some(Live { handle, properties }))
    }
}

#[async_trait]
impl Provider for Job {
    async fn names(&self, aws: &Clients, prefix: &str) -> Result<Vec<String>, ApiError> {
        let names = list_all(|token| async move {
            let page = aws.glue.list_jobs().set_next_token(token).send().await.map_err(api("ListJobs"))?;
            Ok((page.job_names().to_vec(), page.next_token().map(str::to_string)))
        })
        .await?;
        Ok(names.into_iter().filter(|n| n.starts_with(prefix)).collect())
    }

    async fn read(&self, aws: &Clients, desired: &Desired) -> Result<Option<Live>, ApiError> {
        Self::get(aws, &desired.name).await
    }

    async fn create(&self, aws: &Clients, desired: &Desired) -> Result<Live, ApiError> {
        let d = Self::definition(desired);
        let created = aws
            .glue
            .create_job()
            .name(&desired.name)
            .set_role(d.role)
            .command(d.command)
            .set_default_arguments(d.arguments)
            .set_connections(d.connections)
            .set_glue_version(d.glue_version)
            .set_worker_type(d.worker_type)
            .set_number_of_workers(d.workers)
            .set_security_configuration(d.security)
            .set_description(d.description)
            .set_timeout(d.timeout)
            .set_max_retries(d.max_retries)
            .set_tags(Some(desired.tags().into_iter().collect()))
            .send()
            .await
            .map_err(api("CreateJob"));
        adopt(self, aws, desired, created, EXISTS).await
    }

    async fn update(
        &self,
        aws: &Clients,
        desired: &Desired,
        live: &Live,
        changes: &[Change],
    ) -> Result<Live, ApiError> {
        let name = &desired.name;
        let definition_differs = changes.iter().any(|c| !c.path.starts_with("Tags") && c.path != "Name");
        if definition_differs {
            let d = Self::definition(desired);
            let update = JobUpdate::builder()
                .set_role(d.role)
                .command(d.command)
                .set_default_arguments(d.arguments)
                .set_connections(d.connections)
                .set_glue_version(d.glue_version)
                .set_worker_type(d.worker_type)
                .set_number_of_workers(d.workers)
                .set_security_configuration(d.security)
                .set_description(d.description)
                .set_timeout(d.timeout)
                .set_max_retries(d.max_retries)
                .build();
            aws.glue.update_job().job_name(name).job_update(update).send().await.map_err(api("UpdateJob"))?;
        }
        let arn = Self::arn(aws, name);
        converge_tags(
            live.properties.get("Tags"),
            desired.get("Tags"),
            ALL_TAGS,
            ("UntagResource", |keys| {
                aws.glue.untag_resource().resource_arn(&arn).set_tags_to_remove(Some(keys)).send()
            }),
            ("TagResource", |pairs| {
                aws.glue.tag_resource().resource_arn(&arn).set_tags_to_add(Some(pairs.into_iter().collect())).send()
            }),
        )
        .await?;
        Self::get(aws, name).await?.ok_or_else(|| ApiError::new("GetJob", format!("job {name} vanished")))
    }

    async fn delete(&self, aws: &Clients, live: &Live) -> Result<(), ApiError> {
        let name = &live.handle.physical_id;
        crate::backend::sdk::steps::stop_job_runs(aws, name).await?;
        // DeleteJob succeeds for a job that is already gone.
        aws.glue.delete_job().job_name(name).send().await.map_err(api("DeleteJob"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sdk::replay::Replay;

    /// The clickstream-ml scenario's streaming job, as the template has it, with `workers`.
    fn job(workers: i64) -> Map<String, Value> {
        json!({
            "Name": "pipe-dev-clickstream-ml-join-clicks",
            "Role": "arn:aws:iam::123456789012:role/pipe-dev-clickstream-ml-JoinClicksRole",
            "Command": {
                "Name": "gluestreaming",
                "PythonVersion": "3",
                "ScriptLocation": "s3://pipe-artifacts-123456789012-eu-west-1/clickstream-ml/join-clicks/3f2a9c1e.py"
            },
            "DefaultArguments": {
                "--clicks_stream_arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/pipe-dev-clickstream-ml-clicks",
                "--enable-metrics": "true",
                "--job-language": "python"
            },
            "GlueVersion": "4.0",
            "WorkerType": "G.1X",
            "NumberOfWorkers": workers,
            "SecurityConfiguration": "pipe-dev-clickstream-ml-join-clicks",
            "Timeout": 0,
            "MaxRetries": 0,
            "Tags": { "pipe:component": "join-clicks", "pipe:pipeline": "clickstream-ml" }
        })
        .as_object()
        .cloned()
        .expect("an object")
    }

    #[tokio::test]
    async fn update_job_sends_the_whole_definition_and_reads_it_back() {
        let replay = Replay::start(include_str!("../../../../tests/recorded/glue-update-job.json")).await;
        let desired = Desired {
            logical_id: "JoinClicksJob".into(),
            resource_type: "AWS::Glue::Job",
            name: "pipe-dev-clickstream-ml-join-clicks".into(),
            properties: job(3),
        };
        let live = Live { handle: Handle::default(), properties: job(2) };
        let updated = converge(&Job, &replay.clients, &desired, &live).await;
        replay.finish();
        assert_eq!(updated.expect("updated").properties, job(3), "live reads back as the template wrote it");
    }
}
