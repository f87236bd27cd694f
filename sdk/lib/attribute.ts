/**
 * Maps web-vitals' attribution objects to the contract's small, bounded
 * `Attribution`: LCP element, resource URL and subparts; INP target, event
 * type, phases and the longest script of the interaction (Long Animation
 * Frames, where the browser has them); CLS largest-shift source; the load
 * state for all three. Only the attribution build includes this.
 */
import type { MetricWithAttribution } from 'web-vitals/attribution';
import type { Attribution } from '../types.ts';
import { bare, cut, ms } from './clamp.ts';

export const attribute = (m: MetricWithAttribution): Attribution | undefined => {
  // Destructured, the name still narrows the attribution's type.
  const { name, attribution: a } = m;
  if (name == 'LCP')
    return {
      el: cut(a.target, 200),
      url: cut(bare(a.url), 300),
      ttfb: ms(a.timeToFirstByte),
      rld: ms(a.resourceLoadDelay),
      rlt: ms(a.resourceLoadDuration),
      erd: ms(a.elementRenderDelay),
    };
  if (name == 'INP') {
    const script = a.longestScript;
    return {
      el: cut(a.interactionTarget, 200),
      ev: a.interactionType,
      ind: ms(a.inputDelay),
      prc: ms(a.processingDuration),
      prs: ms(a.presentationDelay),
      ls: script && cut(bare(script.entry.sourceURL) || script.entry.invoker, 300),
      lsd: script && ms(script.intersectingDuration),
      ld: a.loadState,
    };
  }
  if (name == 'CLS') return { el: cut(a.largestShiftTarget, 200), ld: a.loadState };
};
