/** Renderer entry: styles, transport, app. */
import 'ol/ol.css';
import './styles.css';
import { getApi, getTransport } from './api/index.js';
import { startApp } from './app.js';

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
startApp(root, getApi(), getTransport());
