import { useState } from 'react';
import { Button } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { Field } from '../../components/field';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { FormDialog } from '../../components/form-dialog';
import { LoadState, messageOf, useLoad } from '../../components/load-state';
import { OneTimeSecret } from '../../components/one-time-secret';
import { PageTitle } from '../../components/page-title';

type Endpoint = paths['/v1/admin/webhooks']['get']['responses'][200]['content']['application/json']['items'][number];
type WithSecret = paths['/v1/admin/webhooks']['post']['responses'][201]['content']['application/json'];
type EventName = Endpoint['events'][number];
type Delivery = paths['/v1/admin/webhooks/{endpointId}/deliveries']['get']['responses'][200]['content']['application/json']['items'][number];

const EVENTS: readonly { id: EventName; label: string }[] = [
  { id: 'session.ended', label: 'session.ended (a session was ended)' },
  { id: 'analysis.done', label: 'analysis.done (a session’s analysis is ready)' },
  { id: 'flag.raised', label: 'flag.raised (a flag was raised for review)' },
  { id: 'flag.reviewed', label: 'flag.reviewed (a reviewer decided on a flag)' },
  { id: 'attempt.submitted', label: 'attempt.submitted (a student submitted an attempt)' },
  { id: 'attempt.graded', label: 'attempt.graded (an attempt was graded)' },
];

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—');
const path = (endpointId: string) => ({ params: { path: { endpointId } } });

/**
 * /admin/webhooks: the institution's webhook endpoints (ADR 0023): add or change one and the events it
 * gets, rotate its signing secret (shown once), see its delivery log and send a message again. An
 * endpoint the server disabled after persistent failure says so here, with why.
 */
export function WebhooksPage() {
  const [list, reload] = useLoad(() => unwrap(api.GET('/v1/admin/webhooks')), 'all');
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [logOf, setLogOf] = useState<Endpoint | null>(null);
  const showSecret = (e: WithSecret) => {
    setSecret({ url: e.url, secret: e.secret });
    reload();
  };
  return (
    <div className="page">
      <PageTitle>Webhooks</PageTitle>
      <h1>Webhooks</h1>
      <p>
        Veritas POSTs the chosen events to each endpoint, signed as the Standard Webhooks specification says (headers webhook-id, webhook-timestamp,
        webhook-signature). A message that fails is retried with growing waits for more than a day; an endpoint whose message fails every attempt is disabled.
      </p>
      <EndpointDialog onSaved={(e) => ('secret' in e ? showSecret(e as WithSecret) : reload())} />
      {secret && (
        <OneTimeSecret
          label="Signing secret"
          value={secret.secret}
          note={`The secret for ${secret.url}: the receiver verifies every message with it. It is shown this once.`}
        />
      )}
      <section aria-labelledby="endpoints-h">
        <h2 id="endpoints-h">Endpoints</h2>
        <LoadState state={list} what="the webhook endpoints" isEmpty={(d) => d.items.length === 0} empty="No webhook endpoint yet.">
          {(d) => (
            <table className="table">
              <caption className="sr-only">Webhook endpoints</caption>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">State</th>
                  <th scope="col">Secret</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((e) => (
                  <tr key={e.id}>
                    <th scope="row">
                      <code>{e.url}</code>
                      {e.description && <div className="muted">{e.description}</div>}
                    </th>
                    <td>{e.events.join(', ')}</td>
                    <td>{e.enabled ? 'Enabled' : `Disabled ${when(e.disabledAt)}: ${e.disabledReason ?? ''}`}</td>
                    <td>
                      <code>{e.secretPrefix}…</code>
                      {e.previousSecretExpiresAt && <div className="muted">previous secret signs too until {when(e.previousSecretExpiresAt)}</div>}
                    </td>
                    <td className="actions">
                      <EndpointDialog endpoint={e} onSaved={reload} />
                      <Button className="btn" aria-label={`Delivery log of ${e.url}`} onPress={() => setLogOf(e)}>
                        Delivery log
                      </Button>
                      <ConfirmDialog
                        trigger="Rotate secret"
                        triggerName={`Rotate secret of ${e.url}`}
                        title={`Rotate the secret of ${e.url}?`}
                        confirm="Rotate"
                        failure="Not rotated"
                        action={async () => showSecret(await unwrap(api.POST('/v1/admin/webhooks/{endpointId}/rotate-secret', { ...path(e.id), body: {} })))}
                        onDone={reload}
                      >
                        A new secret is shown once; the old one keeps signing beside it for a day, while the receiver switches over.
                      </ConfirmDialog>
                      <ConfirmDialog
                        trigger="Delete"
                        triggerName={`Delete ${e.url}`}
                        title={`Delete the endpoint ${e.url}?`}
                        confirm="Delete"
                        failure="Not deleted"
                        action={() => unwrap(api.DELETE('/v1/admin/webhooks/{endpointId}', path(e.id)))}
                        onDone={() => {
                          if (logOf?.id === e.id) setLogOf(null);
                          reload();
                        }}
                      >
                        Messages not yet delivered are dropped, with its delivery log.
                      </ConfirmDialog>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </LoadState>
      </section>
      {logOf && <DeliveryLog key={logOf.id} endpoint={logOf} />}
    </div>
  );
}

/** Adding (no `endpoint`) or changing an endpoint, in a dialog: URL, description, events, and whether it is enabled. */
function EndpointDialog({ endpoint, onSaved }: { endpoint?: Endpoint; onSaved: (e: WithSecret | Endpoint) => void }) {
  const title = endpoint ? `Change ${endpoint.url}` : 'Add an endpoint';
  const send = async (form: FormData) => {
    const url = String(form.get('url')).trim();
    const description = String(form.get('description') ?? '').trim();
    const events = form.getAll('events').map(String) as EventName[];
    if (events.length === 0) return 'Choose at least one event.';
    onSaved(
      endpoint
        ? await unwrap(
            api.PATCH('/v1/admin/webhooks/{endpointId}', { ...path(endpoint.id), body: { url, description, events, enabled: form.get('enabled') === 'on' } }),
          )
        : await unwrap(api.POST('/v1/admin/webhooks', { body: { url, description, events } })),
    );
    return undefined;
  };
  return (
    <FormDialog
      trigger={endpoint ? 'Change' : 'Add an endpoint'}
      {...(endpoint ? { triggerName: title, triggerClassName: 'btn' } : {})}
      title={title}
      submit="Save"
      failure="Not saved"
      send={send}
    >
      <Field name="url" label="URL" type="url" isRequired autoComplete="off" maxLength={2000} defaultValue={endpoint?.url ?? ''} />
      <Field name="description" label="Description" autoComplete="off" maxLength={200} defaultValue={endpoint?.description ?? ''} />
      <fieldset className="field">
        <legend className="field-label">Events</legend>
        {EVENTS.map((ev) => (
          <label key={ev.id} className="checkbox">
            <input type="checkbox" name="events" value={ev.id} defaultChecked={endpoint ? endpoint.events.includes(ev.id) : true} /> {ev.label}
          </label>
        ))}
      </fieldset>
      {endpoint && (
        <label className="checkbox">
          <input type="checkbox" name="enabled" defaultChecked={endpoint.enabled} /> Enabled
        </label>
      )}
    </FormDialog>
  );
}

/** The messages of one endpoint, newest first, each with its attempts; a message can be sent again. */
function DeliveryLog({ endpoint }: { endpoint: Endpoint }) {
  const [log, reload] = useLoad(
    () => unwrap(api.GET('/v1/admin/webhooks/{endpointId}/deliveries', { params: { path: { endpointId: endpoint.id }, query: { limit: 50 } } })),
    endpoint.id,
  );
  const [said, setSaid] = useState<string | null>(null);
  const redeliver = async (d: Delivery) => {
    try {
      await unwrap(
        api.POST('/v1/admin/webhooks/{endpointId}/deliveries/{deliveryId}/redeliver', { params: { path: { endpointId: endpoint.id, deliveryId: d.id } } }),
      );
      setSaid(`${d.id} queued to be sent again.`);
      reload();
    } catch (err) {
      setSaid(`Not queued: ${messageOf(err)}.`);
    }
  };
  return (
    <section aria-labelledby="log-h">
      <h2 id="log-h">Delivery log of {endpoint.url}</h2>
      <p>
        <Button className="btn" onPress={reload}>
          Refresh
        </Button>
      </p>
      <p role="status">{said}</p>
      <LoadState state={log} what="the delivery log" isEmpty={(d) => d.items.length === 0} empty="No message yet.">
        {(d) => (
          <table className="table">
            <caption className="sr-only">Messages sent to {endpoint.url}</caption>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((m) => (
                <tr key={m.id}>
                  <th scope="row">
                    <code>{m.id}</code>
                    <div className="muted">{when(m.createdAt)}</div>
                  </th>
                  <td>{m.eventType}</td>
                  <td>{m.status}</td>
                  <td>
                    <ol>
                      {m.log.map((a) => (
                        <li key={a.attempt}>
                          {when(a.at)}: {a.statusCode ?? 'no answer'} in {a.latencyMs} ms{a.error ? ` (${a.error})` : ''}
                          {a.responseExcerpt ? <q className="muted"> {a.responseExcerpt.slice(0, 200)}</q> : null}
                        </li>
                      ))}
                    </ol>
                  </td>
                  <td>
                    <Button className="btn" aria-label={`Send again ${m.id}`} onPress={() => void redeliver(m)}>
                      Send again
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadState>
    </section>
  );
}
