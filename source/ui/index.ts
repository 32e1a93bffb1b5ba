// First: React must see NODE_ENV=production before ink/react are evaluated (./node-env.ts).
import './node-env.js';

export {createTuiPresenter, type TuiPresenterOptions} from './tui-presenter.js';
export {runWizard, type WizardOptions, type WizardResult} from './wizard/run-wizard.js';
export {startBundledServer, type BundledServer} from './bundled-server.js';
export {probePort} from './probe-port.js';
