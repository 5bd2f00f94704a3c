//! Processing code that pipe packages and uploads: Lambda zips, Glue and Spark scripts, the Flink
//! application zip. Keys carry a content hash, so changed code gets a new key and CloudFormation
//! sees the change, while unchanged code renders byte-identical templates.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// How the code reaches AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packaging {
    /// A directory zipped as the deployment package (Lambda, Flink).
    Zip,
    /// One script file uploaded as is (Glue, Spark on EMR).
    File,
}

#[derive(Debug, Clone)]
pub struct Artifact {
    pub component: String,
    pub source: PathBuf,
    pub packaging: Packaging,
    /// Key in the artifacts bucket, e.g. `pipe/internet-offering/enrich/3f2a9c1e0b7d.zip`.
    pub key: String,
}

/// Describes the artifact for `relative` (a path inside `base_dir`) and hashes its files.
pub fn artifact(
    base_dir: &Path,
    pipeline: &str,
    component: &str,
    relative: &str,
    packaging: Packaging,
) -> std::io::Result<Artifact> {
    let source = base_dir.join(relative);
    let files = files_under(&source)?;

    let mut hasher = Sha256::new();
    for file in &files {
        let name = file.strip_prefix(&source).unwrap_or(file).to_string_lossy().replace('\\', "/");
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(fs_err::read(file)?);
        hasher.update([0]);
    }
    let digest: String = hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    let key = match packaging {
        Packaging::Zip => format!("pipe/{pipeline}/{component}/{digest}.zip"),
        Packaging::File => {
            let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            format!("pipe/{pipeline}/{component}/{digest}/{name}")
        }
    };
    Ok(Artifact { component: component.to_string(), source, packaging, key })
}

/// The files of an artifact: the file itself, or every file under a directory (sorted), without
/// caches and hidden files.
pub fn files_under(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs_err::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name();
            if name == "__pycache__" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() { pending.push(path) } else { files.push(path) }
        }
    }
    files.sort();
    Ok(files)
}
