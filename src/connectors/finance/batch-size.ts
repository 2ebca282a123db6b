/**
 * Operations per write `$batch` unless configured: a page of 500 records (the engine's page size) is one
 * request, and a page of quotations with their lines (about five operations each) a few. F&O accepts
 * 5,000 operations in one `$batch` but runs them one after another, so a batch is as long as its parts
 * together; 1,000 keeps one request well inside that limit and is also what Dataverse accepts, so both
 * connectors share one bound. Lower it (`batchSize`, `FINANCE_BATCH_SIZE`) for an environment whose writes are slow.
 */
export const defaultFinanceBatchSize = 1_000;
