namespace Noether.Tensors;

/// <summary>
/// How much parallelism kernels may use. One thread is the deterministic default used by tests;
/// with more threads results stay bit-identical because work is split by whole output panels or
/// whole population members, never inside a sum.
/// </summary>
public sealed record Compute(int Threads = 1)
{
    public static readonly Compute Serial = new(1);
}
