-- Health of a career.skillmatrix.dev/v1alpha1 Proposal (skillmatrix-operator).
-- Only the Lua base library is used: Argo CD runs argocd-cm scripts without
-- the standard libraries unless useOpenLibs is set.
--
-- Open, Accepted and Committed (Git write-back: pushed, waiting for the
-- sync to bring the change into the Role) are on their way (Progressing),
-- except an Accepted one whose promotion the operator holds because the
-- admission policies are not in force as shipped (Applied=False/PromotionHeld):
-- that needs the platform team (Degraded); Applied, Rejected and
-- Expired are closed as the rules decided, and Withdrawn as its author
-- decided, which are correct outcomes, not faults (Healthy); Conflicted and
-- Invalid can never be applied and need a person to act, e.g. propose again
-- (Degraded), as do Abandoned, Diverged and TimedOut (Git write-back: the
-- commit never reached the Role: branch deleted unmerged, merged with other
-- values, or applyTimeout passed). A withdrawal the operator has not seen yet is a new generation,
-- so it waits for the operator like any other edit.
local hs = {}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function text(value)
  if value == nil then
    return ""
  end
  return tostring(value)
end

local function say(status, prefix, message)
  hs.status = status
  if text(message) == "" then
    hs.message = prefix
  else
    hs.message = prefix .. ": " .. text(message)
  end
  return hs
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

local phase = text(obj.status.phase)
local valid = condition("Valid")

if phase == "Applied" or phase == "Rejected" or phase == "Expired" or phase == "Withdrawn" then
  return say("Healthy", phase, obj.status.message)
end
if phase == "Conflicted" or phase == "Abandoned" or phase == "Diverged" or phase == "TimedOut" then
  return say("Degraded", phase, obj.status.message)
end
if phase == "Invalid" then
  -- The operator puts the problems in status.message; a missing Role only
  -- in the Valid condition. spec.roleRef is immutable, so neither fixes itself.
  if text(obj.status.message) == "" and valid ~= nil then
    return say("Degraded", phase, valid.message)
  end
  return say("Degraded", phase, obj.status.message)
end

-- Not decided yet. Valid=Unknown means the Role's SkillMatrix is missing: the
-- proposal is evaluated again when it appears.
if valid ~= nil and valid.status == "Unknown" and text(valid.message) ~= "" then
  if phase == "" then
    return say("Progressing", text(valid.reason), valid.message)
  end
  return say("Progressing", phase, valid.message)
end
local applied = condition("Applied")
if phase == "Accepted" and applied ~= nil and applied.status == "False" and text(applied.reason) == "PromotionHeld" then
  return say("Degraded", "PromotionHeld", applied.message)
end
-- Accepted while its Git write-back fails (credentials, server, manifest):
-- still on its way, retried, with the reason in view.
local committed = condition("Committed")
if phase == "Accepted" and committed ~= nil and committed.status == "False" then
  return say("Progressing", "Accepted, not committed (" .. text(committed.reason) .. ")", committed.message)
end
if phase == "Open" or phase == "Accepted" or phase == "Committed" then
  return say("Progressing", phase, obj.status.message)
end
if phase == "" then
  return waiting()
end
return say("Unknown", "Unknown phase " .. phase, obj.status.message)
