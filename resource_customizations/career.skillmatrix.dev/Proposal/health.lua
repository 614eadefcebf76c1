-- Health of a career.skillmatrix.dev/v1alpha1 Proposal (skillmatrix-operator).
--
-- Ready's reason is the phase. Open (waiting for votes and reviews) and the
-- closed phases Applied, Rejected, Expired, Conflicted, Withdrawn, Abandoned,
-- Diverged and TimedOut leave the operator nothing to do: Healthy, with the
-- phase in the message (an outcome that needs a look, e.g. MergedDifferently,
-- is a Warning Event). Accepted and Committed are in flight (Progressing),
-- as is a Proposal whose Role or SkillMatrix does not exist yet (RoleNotFound,
-- MatrixNotFound); an accepted Proposal held by what needs a person
-- (PromotionHeld, a write-back that cannot authenticate) and Invalid
-- (InvalidChanges: propose anew) are Degraded.

-- Everything below is the same in the three scripts (a test holds them to
-- it): the health follows from the kstatus conditions the operator sets on
-- every kind, with one rule (docs/conditions.md). Only the Lua base library
-- is used: Argo CD runs argocd-cm scripts without the standard libraries
-- unless useOpenLibs is set.
--
--   status.observedGeneration (or the generation of Ready, Reconciling or
--   Stalled) behind metadata.generation, or no status: Progressing
--   Stalled=True: Degraded, a person must act
--   Reconciling=True: Progressing, the operator has work in flight
--   Ready=True: Healthy
--   anything else (a status from an operator older than these conditions):
--   Progressing, until the operator concludes the object
local hs = {}

local function text(value)
  if value == nil then
    return ""
  end
  return tostring(value)
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end

local function waiting()
  hs.status = "Progressing"
  if generation ~= nil then
    hs.message = "Waiting for the operator to observe generation " .. text(generation)
  else
    hs.message = "Waiting for the operator"
  end
  return hs
end

if obj.status == nil then
  return waiting()
end
if generation ~= nil then
  local observed = obj.status.observedGeneration
  if observed == nil or observed < generation then
    return waiting()
  end
end

local function condition(conditionType)
  if obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

-- A condition stamped with an older generation describes an older spec.
local function stale(c)
  return c ~= nil and generation ~= nil and c.observedGeneration ~= nil and c.observedGeneration < generation
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

-- "<reason>: <message>" (the reason Ready says nothing), then the message of
-- Valid or Published when it carries the same reason and says more: Ready
-- says what is wrong, that condition why (the problems, the API error).
local function describe(c)
  local reason = text(c.reason)
  local message = text(c.message)
  if message == "" then
    message = reason
  elseif reason ~= "" and reason ~= "Ready" then
    message = reason .. ": " .. message
  end
  for _, detailType in ipairs({"Valid", "Published"}) do
    local detail = condition(detailType)
    if detail ~= nil and detail.status ~= "True" and text(detail.reason) == reason
        and text(detail.message) ~= "" and text(detail.message) ~= text(c.message) then
      return message .. "; " .. text(detail.message)
    end
  end
  return message
end

local ready = condition("Ready")
local reconciling = condition("Reconciling")
local stalled = condition("Stalled")
if stale(ready) or stale(reconciling) or stale(stalled) then
  return waiting()
end

if isTrue(stalled) then
  hs.status = "Degraded"
  hs.message = describe(stalled)
  return hs
end
if isTrue(reconciling) then
  hs.status = "Progressing"
  hs.message = describe(reconciling)
  return hs
end
if isTrue(ready) then
  hs.status = "Healthy"
  hs.message = describe(ready)
  -- A Role valid with warnings: what looks odd (a proficiency that drops as
  -- the level rises).
  local valid = condition("Valid")
  if valid ~= nil and valid.reason == "ValidWithWarnings" and text(valid.message) ~= "" then
    hs.message = hs.message .. "; " .. text(valid.message)
  end
  return hs
end

hs.status = "Progressing"
if ready == nil then
  if generation ~= nil then
    hs.message = "Waiting for the operator to set Ready for generation " .. text(generation)
  else
    hs.message = "Waiting for the operator to set Ready"
  end
else
  hs.message = "Waiting for the operator: " .. describe(ready)
end
return hs
