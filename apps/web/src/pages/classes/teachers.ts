import { api, unwrap } from '../../api/client';

/** The tenant's active teachers, by name (an admin names a class's teacher): every page, 100 at a time. */
export async function loadTeachers(): Promise<{ id: string; label: string }[]> {
  const teachers: { id: string; label: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      api.GET('/v1/admin/users', { params: { query: { role: 'teacher', status: 'active', limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    teachers.push(...page.items.map((t) => ({ id: t.id, label: t.displayName })));
    cursor = page.next ?? undefined;
  } while (cursor);
  return teachers;
}
