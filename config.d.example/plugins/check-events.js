// A small Tribune plugin: remembers the last 50 health-check transitions, serves them at
// GET /v1/example/check-events, and, when `check_events.webhook_url` is set, posts each one there.
import { definePlugin, getHttpHooks } from 'tribune/plugin';

const LIMIT = 50;

export default definePlugin({
  name: 'check-events',
  dependencies: ['http'],
  configSchema: {
    check_events: {
      type: 'object',
      properties: { webhook_url: { type: 'string' } },
      additionalProperties: false,
    },
  },
  apply(kernel, config) {
    const events = [];
    kernel.hooks.onCheck.tap('check-events', (transition) => {
      events.push({ ...transition, at: new Date().toISOString() });
      if (events.length > LIMIT) events.shift();
      kernel.logger.info({ check: transition.checkId, status: transition.status }, 'check changed');
      const url = config.check_events?.webhook_url;
      if (url) {
        fetch(url, {
          method: 'POST',
          body: JSON.stringify(transition),
          signal: AbortSignal.timeout(5000),
        }).catch((err) => kernel.logger.warn({ err }, 'check-events webhook failed'));
      }
    });
    getHttpHooks(kernel).routes.tap('check-events', (routes) => {
      routes.add({ method: 'GET', path: '/v1/example/check-events', handler: () => ({ body: events }) });
    });
  },
});
