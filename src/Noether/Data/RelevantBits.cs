using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Which latent bits make up the label-relevant vector v at redundancy R (docs/experiments/multimodal-alignment.md#generator):
/// R of the shared bits (seen by both modalities), u1 = ⌊U/2⌋ of modality 1's unique bits and
/// u2 = U − u1 of modality 2's, with U = F − R. v = [x_c[Shared], x_u1[Unique1], x_u2[Unique2]] positionally.
/// </summary>
/// <param name="Redundancy">R, the number of shared bits the label depends on.</param>
/// <param name="Shared">Indices into the shared bits x_c (length R).</param>
/// <param name="Unique1">Indices into modality 1's unique bits x_u1 (length ⌊U/2⌋).</param>
/// <param name="Unique2">Indices into modality 2's unique bits x_u2 (length U − ⌊U/2⌋).</param>
public sealed record RelevantBits(int Redundancy, int[] Shared, int[] Unique1, int[] Unique2)
{
    /// <summary>Uniqueness U = F − R: label bits only one modality sees.</summary>
    public int Uniqueness => Unique1.Length + Unique2.Length;

    /// <summary>F = R + U, the length of v.</summary>
    public int Count => Shared.Length + Unique1.Length + Unique2.Length;

    /// <summary>
    /// Draws the three subsets without replacement from <paramref name="features"/> (the repo reseeds this
    /// stream for every R, so pass a fresh stream with the same seed each time).
    /// </summary>
    public static RelevantBits Draw(int redundancy, int sharedBits, int uniqueBits, Rng features)
    {
        if (redundancy < 0 || redundancy > sharedBits)
            throw new ArgumentOutOfRangeException(nameof(redundancy), $"redundancy R must be in 0..{sharedBits} (the shared bits), got {redundancy}");
        int u = sharedBits - redundancy, u1 = u / 2, u2 = u - u1;
        if (u2 > uniqueBits)
            throw new ArgumentOutOfRangeException(nameof(redundancy), $"uniqueness U = {u} needs {u2} unique bits per modality but each has {uniqueBits}");
        return new RelevantBits(redundancy, Choose(sharedBits, redundancy, features), Choose(uniqueBits, u1, features), Choose(uniqueBits, u2, features));
    }

    /// <summary>
    /// The index of v (Σ_k v_k·2^k) for latent bits packed as shared | unique1 | unique2 in one integer:
    /// bit s of <paramref name="latent"/> is x_c[s], bit S+i is x_u1[i], bit S+Q+i is x_u2[i].
    /// </summary>
    public int PatternOf(int latent, int sharedBits, int uniqueBits)
    {
        int v = 0, k = 0;
        foreach (int s in Shared) v |= (latent >> s & 1) << k++;
        foreach (int i in Unique1) v |= (latent >> (sharedBits + i) & 1) << k++;
        foreach (int i in Unique2) v |= (latent >> (sharedBits + uniqueBits + i) & 1) << k++;
        return v;
    }

    private static int[] Choose(int n, int count, Rng rng) => rng.Permutation(n)[..count];
}
