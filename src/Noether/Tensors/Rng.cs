namespace Noether.Tensors;

/// <summary>
/// Seeded random stream: xoshiro256** seeded through SplitMix64. Named children
/// (<see cref="Child(string)"/>) derive an independent stream from (this seed, name), so adding draws
/// to one stream never shifts another. Normal deviates use the Box–Muller transform
/// (both values of a pair are used, the second cached).
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>The 64-bit seed this stream was made from.</summary>
    public ulong Seed { get; private set; }

    public Rng(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    public Rng(long seed) : this(unchecked((ulong)seed)) { }

    /// <summary>An independent stream named <paramref name="name"/> derived from this stream's seed (not its state).</summary>
    public Rng Child(string name)
    {
        ulong h = 14695981039346656037UL; // FNV-1a over the UTF-16 code units
        foreach (char c in name) { h ^= c; h *= 1099511628211UL; }
        ulong x = Seed ^ h;
        return new Rng(SplitMix(ref x) ^ Rotl(h, 17));
    }

    /// <summary>Child stream for an integer index (e.g. a population member or a step).</summary>
    public Rng Child(string name, long index) => Child(name + "#" + index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public ulong NextUInt64()
    {
        ulong result = Rotl(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t; _s3 = Rotl(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n), unbiased (rejection on the top range).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"Rng.NextInt: n must be positive, got {n}");
        ulong bound = (ulong)n;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do { r = NextUInt64(); } while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>Standard normal deviate by Box–Muller: r = √(−2 ln u₁), z = r cos 2πu₂, r sin 2πu₂.</summary>
    public double Normal()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u1;
        do { u1 = NextDouble(); } while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double a = 2.0 * Math.PI * u2;
        _spare = r * Math.Sin(a); _hasSpare = true;
        return r * Math.Cos(a);
    }

    public double Normal(double mean, double std) => mean + std * Normal();

    public void FillNormal<T>(Span<T> dst, double mean, double std) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateChecked(mean + std * Normal());
    }

    public void FillUniform<T>(Span<T> dst, double lo, double hi) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateChecked(Uniform(lo, hi));
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p);
        return p;
    }

    /// <summary>The stream's full state (seed, generator words, cached normal), for checkpoints.</summary>
    public RngState GetState() => new(Seed, _s0, _s1, _s2, _s3, _spare, _hasSpare);

    /// <summary>Puts the stream back where <see cref="GetState"/> found it: the draws that follow are the same.</summary>
    public void SetState(RngState state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0) throw new ArgumentException("Rng.SetState: all-zero xoshiro state (not a saved state)", nameof(state));
        Seed = state.Seed;
        (_s0, _s1, _s2, _s3) = (state.S0, state.S1, state.S2, state.S3);
        (_spare, _hasSpare) = (state.Spare, state.HasSpare);
    }

    private static ulong Rotl(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A saved <see cref="Rng"/> position: the seed children derive from, the four xoshiro words and the cached Box–Muller deviate.</summary>
public readonly record struct RngState(ulong Seed, ulong S0, ulong S1, ulong S2, ulong S3, double Spare, bool HasSpare)
{
    /// <summary>Seven words: seed, s0..s3, the spare's bits, has-spare (0/1).</summary>
    public ulong[] ToWords() => [Seed, S0, S1, S2, S3, BitConverter.DoubleToUInt64Bits(Spare), HasSpare ? 1UL : 0UL];

    public static RngState FromWords(ReadOnlySpan<ulong> w) =>
        w.Length == 7 ? new(w[0], w[1], w[2], w[3], w[4], BitConverter.UInt64BitsToDouble(w[5]), w[6] != 0)
        : throw new ArgumentException($"RngState.FromWords: {w.Length} words, expected 7");
}
