import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { presentStudentDetail } from './student-detail.presenter';
import { StudentDetail, StudentParams } from './student-detail.schemas';
import { createStudentDetailService } from './student-detail.service';

/**
 * GET /v1/students/{studentId}: a student's detail for the people who teach them (the original plan's
 * `/teacher/students/{id}`), in one request. Who sees which student is the service's; anyone else gets 404.
 */
export const studentDetailRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  const students = createStudentDetailService({ database: services.database, audit: services.audit });

  app.get(
    '/v1/students/:studentId',
    {
      config: { access: 'students:read' },
      schema: {
        tags: ['dashboards'],
        summary: "A student's detail",
        description:
          "The student's profile and classes; their attempts at the exams the caller owns or co-teaches (an observer: those of the teachers they are attached to; " +
          'an admin: all) with score, integrity, risk and flags; a summary; their momentum and dropout label. For the teachers of their classes, the teachers ' +
          'of exams they took, the observers attached to those teachers, and admins; 404 for anyone else. Audited as `student.detail.read`.',
        params: StudentParams,
        response: { 200: StudentDetail, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentStudentDetail(await students.detail(userOf(req), req.params.studentId, contextOf(req))),
  );
};
