/** Renderer entry: styles, transport, app (behind a login on a team server). */
import 'ol/ol.css';
import './styles.css';
import { getApi, getTransport } from './api/index.js';
import { startApp } from './app.js';
import { startTeam } from './team/team-start.js';

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
const api = getApi();
const transport = getTransport();
if (transport === 'http') {
  // A team server says so in app.info (callable before logging in); then the login comes first.
  api
    .invoke('app.info', {})
    .then((info) => (info.team ? startTeam(root, api) : startApp(root, api, transport)))
    .catch(() => startApp(root, api, transport));
} else {
  startApp(root, api, transport);
}
