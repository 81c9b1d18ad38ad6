/** Dashboards (issue 12): a student's and a teacher's page, an exam's analytics and CSV, an attempt's monitoring — each in one request. */
export { dashboardsRoutes } from './dashboards.routes';
export { createDashboardsService, type DashboardsService } from './dashboards.service';
export { createStudentDetailService, type StudentDetailService } from './student-detail.service';
