import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { Pager, usePager } from '../../components/pager';
import { examState, formatWhen, STATE_LABEL } from './exam-field';

/** /exams: the exams a teacher owns or co-teaches (an admin: all of the institution's), with where each stands. */
export function ExamsPage() {
  const paging = usePager();
  const { cursor } = paging;
  const [list] = useLoad(() => unwrap(api.GET('/v1/exams', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } })), cursor ?? '');
  return (
    <div className="page page-wide">
      <PageTitle>Exams</PageTitle>
      <h1>Exams</h1>
      <p>
        <Link to="/exams/new" className="btn btn-primary">
          New exam
        </Link>
      </p>
      <LoadState state={list} what="the exams" isEmpty={(d) => d.items.length === 0} empty="There is no exam yet: create one.">
        {(d) => (
          <>
            <table className="table">
              <caption className="sr-only">Exams</caption>
              <thead>
                <tr>
                  <th scope="col">Exam</th>
                  <th scope="col">State</th>
                  <th scope="col">Opens</th>
                  <th scope="col">Closes</th>
                  <th scope="col">Results</th>
                  <th scope="col">Analytics</th>
                  <th scope="col">Live</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((e) => (
                  <tr key={e.id}>
                    <th scope="row">
                      <Link to={`/exams/${e.id}/edit`}>{e.title}</Link>
                    </th>
                    <td>{STATE_LABEL[examState(e)]}</td>
                    <td>{formatWhen(e.opensAt)}</td>
                    <td>{formatWhen(e.closesAt)}</td>
                    <td>{e.resultsReleasedAt ? 'Released' : 'Not released'}</td>
                    <td>
                      <Link to={`/exams/${e.id}/analytics`}>Analytics</Link>
                    </td>
                    <td>
                      {/* Its row (the exam's name is the row header) says which exam: WCAG 2.4.4, link purpose in context. */}
                      <Link to={`/exams/${e.id}/live`}>Watch live</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager paging={paging} next={d.next} />
          </>
        )}
      </LoadState>
    </div>
  );
}
