use std::process::Command;

/// The binary itself, not just the parser, refuses to start in production
/// without a JWT secret, and says which variable to set.
#[test]
fn production_start_without_jwt_secret_names_the_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_model-suite"))
        .arg("serve")
        .current_dir(dir.path())
        .env_clear()
        .env("APP_ENV", "production")
        .env("ADMIN_PASSWORD", "long-enough-password")
        .env("STORAGE_DIR", dir.path())
        .output()
        .expect("run model-suite");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");
    assert!(
        !dir.path().join("jwt_secret").exists(),
        "production never generates a secret"
    );
}

#[test]
fn production_start_with_a_short_secret_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_model-suite"))
        .arg("serve")
        .current_dir(dir.path())
        .env_clear()
        .env("APP_ENV", "production")
        .env("JWT_SECRET", "too-short")
        .env("ADMIN_PASSWORD", "long-enough-password")
        .output()
        .expect("run model-suite");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("JWT_SECRET") && stderr.contains("32"),
        "{stderr}"
    );
}
