using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// The random stream named <paramref name="name"/> of population member <paramref name="member"/>
/// (RunContext.MemberStream has this shape), so a rule's draws for member i equal a P = 1 run with that seed.
/// </summary>
public delegate Rng MemberStreams(int member, string name);
