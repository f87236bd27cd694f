/**
 * Calibration entry for `bench/sdk.ts`: web-vitals 6 alone, its five metrics
 * registered as the SDK registers them (soft navigations on), built by the
 * same pipeline as the SDK's scripts, so the difference is the SDK's own cost.
 */
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';

for (const on of [onCLS, onINP, onLCP, onFCP, onTTFB]) on(() => {}, { reportSoftNavs: true });
