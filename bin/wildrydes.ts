#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { configFromContext } from '../lib/config';

const app = new App();
buildApp(app, configFromContext(app.node));
