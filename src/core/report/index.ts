export { buildReport, buildRevisionReport } from './report.js';
export type { DeployOrder, Report, ReportInput, ReportRisk, ReportStatus } from './report.js';
export { renderMarkdownReport, GITHUB_COMMENT_LIMIT } from './markdown.js';
export { renderTerminalReport } from './terminal.js';
