import { describe, expect, it } from 'vitest';
import { parsePhase } from '../../cli/commands/rollouts.ts';
import { UsageError } from '../../cli/errors.ts';
import { resolveRef, similarIds } from '../../cli/ref.ts';
import { closest, didYouMean, editDistance } from '../../cli/suggest.ts';

describe('rollout references', () => {
  it('takes a full cluster/namespace/name as it is', () => {
    expect(resolveRef('prod/shop/cart', {})).toBe('prod/shop/cart');
    expect(resolveRef('prod/shop/cart', { namespace: 'shop', cluster: 'prod' })).toBe(
      'prod/shop/cart',
    );
  });

  it('completes a bare name from -n and --cluster, else the context, else namespace default', () => {
    expect(resolveRef('cart', { namespace: 'shop', cluster: 'prod' })).toBe('prod/shop/cart');
    expect(resolveRef('cart', {}, { cluster: 'dev', namespace: 'web' })).toBe('dev/web/cart');
    expect(resolveRef('cart', { namespace: 'shop' }, { cluster: 'dev', namespace: 'web' })).toBe(
      'dev/shop/cart',
    );
    expect(resolveRef('cart', { cluster: 'eu' }, { cluster: 'dev' })).toBe('eu/default/cart');
  });

  it('refuses a bare name with no cluster anywhere, naming the ways to give one', () => {
    expect(() => resolveRef('cart', { namespace: 'shop' })).toThrow(UsageError);
    expect(() => resolveRef('cart', {})).toThrow(/no cluster for "cart": pass --cluster/);
  });

  it('refuses two-part ids and flags that contradict the id', () => {
    expect(() => resolveRef('shop/cart', {})).toThrow(
      'rollout "shop/cart" must be a name (e.g. cart -n shop) or cluster/namespace/name',
    );
    expect(() => resolveRef('prod/shop/cart', { namespace: 'web' })).toThrow(
      '-n web does not match the namespace of prod/shop/cart',
    );
    expect(() => resolveRef('prod/shop/cart', { cluster: 'dev' })).toThrow(
      '--cluster dev does not match the cluster of prod/shop/cart',
    );
  });
});

describe('did you mean', () => {
  it('counts insertions, deletions, substitutions and swapped neighbours as one edit each', () => {
    expect(editDistance('cart', 'cart')).toBe(0);
    expect(editDistance('cart', 'carts')).toBe(1);
    expect(editDistance('cart', 'crt')).toBe(1);
    expect(editDistance('cart', 'cort')).toBe(1);
    expect(editDistance('cart', 'crat')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the close names, closest first, and nothing for a far one', () => {
    expect(closest('chekout', ['checkout', 'cart', 'payments', 'checkouts'])).toEqual([
      'checkout',
      'checkouts',
    ]);
    expect(closest('zzz', ['checkout', 'cart'])).toEqual([]);
    expect(didYouMean(['a'])).toBe('; did you mean a?');
    expect(didYouMean(['a', 'b', 'c'])).toBe('; did you mean a, b or c?');
    expect(didYouMean([])).toBe('');
  });

  it('finds rollouts by a mistyped name, the same namespace first, then other namespaces', () => {
    const ids = ['prod/shop/checkout', 'prod/web/checkout', 'prod/shop/cart', 'dev/shop/checkout'];
    expect(similarIds('prod/shop/chekout', ids)).toEqual([
      'prod/shop/checkout',
      'dev/shop/checkout',
      'prod/web/checkout',
    ]);
    // The right name in the wrong namespace is found too.
    expect(similarIds('prod/default/cart', ids)).toEqual(['prod/shop/cart']);
    expect(similarIds('prod/shop/inventory', ids)).toEqual([]);
  });
});

describe('phase filters', () => {
  it('match without regard to case', () => {
    expect(parsePhase('progressing')).toBe('Progressing');
    expect(parsePhase('ROLLEDBACK')).toBe('RolledBack');
    expect(parsePhase('waitingpromotion')).toBe('WaitingPromotion');
  });

  it('refuse an unknown phase as a usage error with the nearest phase and the list', () => {
    expect(() => parsePhase('progresing')).toThrow(
      /--phase: "progresing" is not a phase \(did you mean Progressing\?\); one of Pending, Progressing/,
    );
    expect(() => parsePhase('sleeping')).toThrow(UsageError);
  });
});
