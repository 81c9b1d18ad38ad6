export { createTracing, recordQuery, currentTraceId, type Tracing, type TracingOptions } from './tracing';
