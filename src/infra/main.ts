/** CDK Terrain app entry (cdktf.json): synthesizes the stack of ENVIRONMENT_SUFFIX (default dev) in AWS_REGION. */
import { App } from 'cdktn';
import { stackConfigFrom } from './config.js';
import { MarketDataStack, stackId } from './stack.js';

const config = stackConfigFrom();
const app = new App();
new MarketDataStack(app, stackId(config.environmentSuffix), config);
app.synth();
