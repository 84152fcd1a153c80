import { runServiceMain } from '@recsys/service-kit';
import { bootstrap } from './bootstrap';
import { loadServiceConfig } from './config';

runServiceMain('registry-service', () => loadServiceConfig(process.env), bootstrap);
