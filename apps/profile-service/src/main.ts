import { runServiceMain } from '@recsys/service-kit';
import { bootstrap } from './bootstrap';
import { loadServiceConfig } from './config';

runServiceMain('profile-service', () => loadServiceConfig(process.env), bootstrap);
