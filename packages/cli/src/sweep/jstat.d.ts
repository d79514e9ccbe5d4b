/** The part of jStat (which ships no types) that vfpu uses. */
declare module 'jstat' {
  const jStat: {
    readonly studentt: {
      /** The quantile: the t with P(T ≤ t) = p for `dof` degrees of freedom. */
      inv(p: number, dof: number): number;
    };
  };
  export default jStat;
}
