//! The backup CronJob of a service with `backup`.

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, EnvVar, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{
    component_labels, job_resources, object_meta, restricted_container_security,
    restricted_pod_security, service_name, tmp_volume, tmp_volume_mount, Ctx,
};
use crate::emit::OutputFile;
use crate::model::{names, Duration};

/// Environment variable carrying the retention to the backup command.
pub const RETENTION_ENV: &str = "BACKUP_RETENTION";

/// `<svc>-backup`.
pub fn backup_name(service: &crate::model::Service) -> String {
    names::backup_job(&service.name)
}

/// The retention as the backup command reads it from `BACKUP_RETENTION`:
/// one integer and one unit of `d`, `h`, `m`, `s` (`30d`, `36h`), the
/// largest unit that is exact. It is valid Prometheus notation, but never
/// compound (`Duration::prometheus` writes 30 days as `4w2d`, which backup
/// tools such as `restic --keep-within` or `find -mtime` wrappers would not
/// read) and never Go's (`720h` for 30 days is correct but unreadable).
pub fn retention_text(retain: Duration) -> String {
    let secs = retain.millis.div_ceil(1000);
    for (size, unit) in [(86_400, "d"), (3_600, "h"), (60, "m")] {
        if secs > 0 && secs % size == 0 {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

pub(super) fn emit(ctx: &Ctx, files: &mut Vec<OutputFile>) {
    let Some(backup) = &ctx.service.backup else {
        return;
    };
    let name = backup_name(ctx.service);
    // Backup pods get their own `app.kubernetes.io/name`, so the service's
    // Services, PDB and NetworkPolicy never select them.
    let labels = component_labels(ctx.spec, ctx.service, "backup");
    let container = Container {
        name: "backup".into(),
        image: Some(backup.image.clone()),
        command: Some(vec!["sh".into(), "-c".into(), backup.command.clone()]),
        // Kubernetes has no notion of retention: the backup command prunes
        // old backups itself, so it is told the retention, see `retention_text`.
        env: Some(vec![EnvVar {
            name: RETENTION_ENV.into(),
            value: Some(retention_text(backup.retain)),
            ..Default::default()
        }]),
        security_context: Some(restricted_container_security(ctx.service.run_as_user, true)),
        resources: Some(job_resources(&backup.resources)),
        volume_mounts: Some(vec![tmp_volume_mount()]),
        ..Default::default()
    };
    let job = CronJob {
        metadata: object_meta(&name, ctx.namespace, labels.clone()),
        spec: Some(CronJobSpec {
            schedule: backup.schedule.clone(),
            // Never two backups at once: a slow one is not overlapped.
            concurrency_policy: Some("Forbid".into()),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.clone()),
                    ..Default::default()
                }),
                spec: Some(JobSpec {
                    backoff_limit: Some(2),
                    template: PodTemplateSpec {
                        metadata: Some(ObjectMeta {
                            labels: Some(labels),
                            ..Default::default()
                        }),
                        spec: Some(PodSpec {
                            restart_policy: Some("Never".into()),
                            service_account_name: Some(service_name(ctx.service)),
                            automount_service_account_token: Some(false),
                            security_context: Some(restricted_pod_security(
                                ctx.service.run_as_user,
                                false,
                            )),
                            containers: vec![container],
                            volumes: Some(vec![tmp_volume()]),
                            ..Default::default()
                        }),
                    },
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    ctx.push(files, "CronJob", &name, &job);
}
