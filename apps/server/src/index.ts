export { loadConfig, ConfigError, DEFAULT_DATA_DIR, type Config } from './config';
export { buildApp, API_VERSION, type App, type AppDeps } from './app';
export { startServer, openDatabase, connectRedis, redisReady, DEFAULT_WEB_DIST, type RunningServer } from './server';
export { migrateToLatest } from './db/migrations';
export { openPglite, openPostgres, type Database } from './db/database';
export { DataDirInUseError } from './db/data-lock';
export { problemType } from './errors';
