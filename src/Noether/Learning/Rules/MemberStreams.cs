using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// The random stream named <paramref name="name"/> of population member <paramref name="member"/>
/// (Experiments.Population.Stream has this shape), so a rule's draws for a member equal a P = 1 run with its seed.
/// </summary>
public delegate Rng MemberStreams(int member, string name);
