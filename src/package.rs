//! Writes a pipeline's artifacts to a directory laid out like the artifacts bucket, ready for
//! `aws s3 sync DIR s3://BUCKET/`, plus each Kinesis Agent's `agent.json` under `agents/`.
//!
//! Zips are reproducible: entries sorted, timestamps fixed at the zip epoch, permissions fixed, so
//! unchanged code gives byte-identical files and the same content-hashed keys.

use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::model::{Artifact, Packaging, Pipeline, files_under};

/// Writes every artifact under `dir`; returns the files written.
pub fn write(pipeline: &Pipeline, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for artifact in &pipeline.artifacts {
        let target = dir.join(&artifact.key);
        fs_err::create_dir_all(target.parent().expect("keys have a directory"))?;
        fs_err::write(&target, contents(artifact)?)?;
        written.push(target);
    }
    for (component, config) in &pipeline.agent_configs {
        let target = dir.join("agents").join(component).join("agent.json");
        fs_err::create_dir_all(target.parent().expect("has a directory"))?;
        fs_err::write(&target, serde_json::to_string_pretty(config).expect("serialises") + "\n")?;
        written.push(target);
    }
    Ok(written)
}

/// The bytes uploaded for an artifact: the file as is, or the directory zipped.
pub fn contents(artifact: &Artifact) -> std::io::Result<Vec<u8>> {
    match artifact.packaging {
        Packaging::File => fs_err::read(&artifact.source),
        Packaging::Zip => zip_directory(&artifact.source),
    }
}

fn zip_directory(source: &Path) -> std::io::Result<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in files_under(source)? {
        let name = file.strip_prefix(source).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        zip.write_all(&fs_err::read(&file)?)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}
