// The dashboard page's entry (src/dashboard/index.html); built by scripts/build.ts into dist/dashboard/.
import { render } from 'preact';
import { Dashboard } from './Dashboard';
import './dashboard.css';

render(<Dashboard />, document.getElementById('app') as HTMLElement);
