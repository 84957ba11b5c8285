using Noether.Tensors;

namespace Noether.Probes.Training;

/// <summary>
/// Representation similarity between the members of a population (docs/probes.md#cka, docs/probes.md#mutual-k-nn): every
/// member's float64 copy (<see cref="ProbeView.Replica"/>) is run on one shared input set, the first member's current batch, and
/// the output of each dense layer (after its activation, [N, out]) is compared between every pair of members by linear CKA
/// and mutual k-NN (k = min(probes.member-similarity.k, N − 1), default 10, rows L2-normalised). Member m logs its mean over the other members. A population of
/// one member, or a network the copy does not support, logs nothing. Choose layers with probes.layers.
/// </summary>
public sealed class MemberSimilarityProbe : TrainingProbe
{
    /// <summary>The default k of mutual k-NN (option k; lowered to N − 1 on a smaller batch).</summary>
    public const int K = 10;

    public override string Name => "member-similarity";
    public override string Description => "mean linear CKA and mutual k-NN between each member's and the other members' layer outputs, all run on the first member's current batch";
    public override string Source => "docs/probes.md";
    public override IReadOnlyList<OptionSpec> Options { get; } =
        [OptionSpec.Integer("k", K, "neighbours of mutual k-NN (lowered to the batch size − 1 on a smaller batch)", 1, 1000)];

    /// <summary>One member alone has no one to compare with.</summary>
    public override void Measure(ProbeView view, ProbeLog log) { }

    public override void MeasureMembers(IReadOnlyList<ProbeView> members, MemberLog log)
    {
        if (members.Count < 2) return;
        var inputs = members[0].NetworkInput;
        int n = inputs.Shape[0];
        if (n < 3) return;
        var outputs = new Tensor<double>[members.Count][];
        for (int m = 0; m < members.Count; m++)
        {
            if (members[m].Replica is not { } single) return;
            outputs[m] = MemberReplica.LayerOutputs(single, inputs);
        }
        int k = Math.Min(Option<int>("k"), n - 1);
        for (int l = 0; l < outputs[0].Length; l++)
        {
            var neighbours = outputs.Select(o => MutualKnn.NearestNeighbours(o[l], k)).ToArray();
            var cka = new double[members.Count];
            var knn = new double[members.Count];
            for (int a = 0; a < members.Count; a++)
                for (int b = a + 1; b < members.Count; b++)
                {
                    double c = Cka.LinearCka(outputs[a][l], outputs[b][l]);
                    double s = MutualKnn.MutualKnnOfNeighbours(neighbours[a], neighbours[b], n, k);
                    cka[a] += c; cka[b] += c; knn[a] += s; knn[b] += s;
                }
            for (int m = 0; m < members.Count; m++)
            {
                log(members[m].Member, l + 1, "member_cka", cka[m] / (members.Count - 1));
                log(members[m].Member, l + 1, "member_mknn", knn[m] / (members.Count - 1));
            }
        }
    }
}
