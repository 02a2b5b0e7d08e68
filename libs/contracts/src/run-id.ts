/**
 * What a run id may be, wherever one is made or accepted (CLI, API, scheduler,
 * run control): 1-128 letters, digits, ".", "_", ":" or "-", starting with a
 * letter or digit. It becomes a Kafka key and the prefix of staging _ids.
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
